"""The report: one versioned JSON document per graded submission, typed.

Every part is a dataclass (`Report`, `SubmissionInfo`, `ChallengeInfo`, `Total`,
`CriterionScore`, `CheckResult`, `Message`, `Environment`, `Review`); every reader (CLI, batch,
store, validate, Markdown, HTML, Gradescope) uses them, and dicts appear only at the JSON edge
(`to_json`, `from_dict`). The dataclasses are the one description of the shape:
`grader.typed` loads and checks a document from them and generates the JSON schema
(grader/schemas/report.schema.json, kept in step by a test); docs/report.md explains each key.

Versioning: a minor bump adds optional keys (an older reader ignores them), a major bump
breaks readers. This reader reads every 1.x and 2.x report.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from grader import typed
from grader.checks import CheckResult
from grader.rubric import CriterionScore, Total
from grader.text import clean_value
from grader.typed import non_negative, spec

#: 1.1: optional `review` (flags, questions for the call). 1.2: optional `figures` on checks.
#: 2.0: a check may be `not_run` (with `blocked_by`); strings hold no control characters.
#: 2.1: the challenge version graded against. 2.2: optional `recommendation` (a role profile).
SCHEMA_VERSION = "2.2"
READABLE_MAJORS = ("1", "2")
MAX_REPORT_BYTES = 50 * 1024 * 1024
ReportStatus = Literal["graded", "rejected", "error"]
STATUSES: tuple[str, ...] = ("graded", "rejected", "error")
_COUNT = {"minimum": 0}


@dataclass
class SubmissionInfo:
    """What was graded: the unpacked submission (for a rejected input, its raw bytes)."""

    id: str = spec(doc="<candidate-slug>-<sha256 prefix>")
    sha256: str = spec(schema={"pattern": "^[0-9a-f]{64}$"},
                       doc="fingerprint of the unpacked file tree (of the raw bytes when "
                           "rejected)")
    candidate: str | None = spec()
    source: str = spec(doc="the path given")
    files: int = spec(check=non_negative, schema=_COUNT)
    total_bytes: int = spec(check=non_negative, schema=_COUNT)
    framework: str | None = spec()
    ignored: list[str] = spec(doc="entries skipped at intake (.git, virtualenvs, ...)")


@dataclass
class ChallengeInfo:
    """The challenge graded against."""

    id: str
    title: str
    track: str
    version: str
    #: The digest of the kit graded against (grader/versions.py; 2.1), None without a kit.
    kit_digest: str | None = None
    #: The current version's name when the grading used an older one (2.1).
    current_version: str | None = None
    #: Whether the kit the submission was made on is known (2.1): when it is not, checks
    #: comparing saved outputs with a fresh run are not run. None: the challenge has no kit.
    version_known: bool | None = None

    @property
    def version_text(self) -> str:
        """`1 (kit 3f2a9c1b5d7e; current: 2 (kit 0b1c...))` as the renderings show it."""
        text = self.version + (f" (kit {self.kit_digest[:12]})" if self.kit_digest else "")
        if self.current_version:
            text += f"; the current version is {self.current_version}"
        if self.version_known is False:
            text += "; the kit the submission was made on is unknown"
        return text


@dataclass
class Message:
    """A note about the grading as a whole (a rejected input's rule, a warning)."""

    level: Literal["info", "warning", "error"]
    text: str
    rule: str | None = None


@dataclass
class Environment:
    """Where the grading ran."""

    grader_version: str = ""
    python: str = ""
    docker_version: str | None = None
    base_image: str = ""
    images: dict[str, str] = spec(default_factory=dict, doc="image name -> image id")
    images_built: list[str] = spec(default_factory=list,
                                   doc="names built (not found in the cache) in this run")


@dataclass
class Flag:
    """A green or red flag for the reviewer, raised by a check (grader/review)."""

    id: str
    kind: Literal["green", "red"]
    label: str
    evidence: str = ""
    where: str = ""


@dataclass
class Question:
    """A question for the explain-your-code call, pointing at the candidate's code."""

    id: str
    text: str
    why: str = ""
    where: str = ""
    excerpt: str = ""


@dataclass
class Review:
    """Flags and explain-your-code questions (never part of the score); `error` when the
    sheet could not be built."""

    flags: list[Flag] = field(default_factory=list)
    green_flags: int = 0
    red_flags: int = 0
    questions: list[Question] = field(default_factory=list)
    error: str = ""


@dataclass
class Reason:
    """Why a recommendation is what it is, pointing at the checks and flags it rests on."""

    text: str
    checks: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@dataclass
class Recommendation:
    """What a role profile (grader/profiles.py) makes of the report (2.2): the level, its band,
    the profile-weighted score, green flags against the target, and the verdict with its
    reasons."""

    profile: str
    level: Literal["junior", "mid", "senior"]
    advance_at: float = spec(schema={"minimum": 0, "maximum": 100})
    borderline_at: float = spec(schema={"minimum": 0, "maximum": 100})
    percent: float = spec(schema={"minimum": 0, "maximum": 100},
                          doc="the profile-weighted score, capped like the total")
    green_flags: int = spec(schema=_COUNT)
    green_flags_target: int = spec(schema=_COUNT)
    verdict: Literal["advance", "borderline", "do-not-advance"] = spec()
    reasons: list[Reason] = spec(default_factory=list)
    frameworks: list[str] = spec(default_factory=list, doc="the framework(s) the role pins")
    title: str = ""

    @property
    def verdict_text(self) -> str:
        return {"advance": "advance to the call", "borderline": "borderline",
                "do-not-advance": "do not advance"}[self.verdict]


@dataclass
class Report:
    """One report document; the fields are its top-level keys (docs/report.md)."""

    schema_version: str = spec(schema={"pattern": "^[12]\\.[0-9]+$"})
    status: ReportStatus = spec(doc="graded: the pipeline ran; rejected: intake refused the "
                                    "input; error: grader failed part-way (a bug)")
    submission: SubmissionInfo = spec()
    challenge: ChallengeInfo | None = spec(empty_is_none=True,
                                           doc="{} when the challenge is unknown")
    total: Total = spec()
    criteria: list[CriterionScore] = spec()
    checks: list[CheckResult] = spec()
    messages: list[Message] = spec()
    timings: dict[str, float] = spec(doc="seconds per stage", check=lambda v: all(
        x >= 0 for x in v.values()), expected="a mapping of stage -> seconds (>= 0)")
    environment: Environment = spec()
    artifacts: dict[str, str] = spec(doc="name -> path relative to the report folder")
    generated_at: str = spec(schema={"format": "date-time"})
    review: Review | None = spec(None, empty_is_none=True, doc="optional (1.1)")
    recommendation: Recommendation | None = spec(
        None, empty_is_none=True, doc="optional (2.2): what a role profile recommends")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = typed.dump(self)
        return data

    def cleaned(self) -> Report:
        """This report with every string cleaned of control characters (grader.text): what
        containers printed must not garble a terminal, report.md or report.html."""
        cleaned: Report = typed.load(Report, clean_value(self.to_dict()),
                                     context=typed.Context(extra="ignore"))
        return cleaned

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False,
                          ensure_ascii=False) + "\n"

    @property
    def check_map(self) -> dict[str, CheckResult]:
        """Checks by id (the last one wins when an id repeats)."""
        return {c.id: c for c in self.checks}

    @classmethod
    def from_dict(cls, data: Any) -> Report:
        """Build a report from its JSON document; ValueError naming the first problem found.

        Keys added by a later 1.x minor version are ignored (this reader does not know them).
        """
        if not isinstance(data, dict):
            raise ValueError("not a grader report: a report is a JSON object")
        version = data.get("schema_version")
        if isinstance(version, str) and version.split(".")[0] not in READABLE_MAJORS:
            raise ValueError(f"report schema version {version!r} is not supported "
                             f"(this grader reads {', '.join(READABLE_MAJORS)}.x)")
        try:
            return typed.load(cls, clean_value(data), context=typed.Context(extra="ignore"))
        except typed.ShapeError as exc:
            missing = exc.expected.endswith("(the key is missing)")
            raise ValueError(f"not a grader report: {'missing ' if missing else ''}"
                             f"{exc.describe()}") from None


def report_schema() -> dict[str, Any]:
    """The report's JSON schema, generated from the dataclasses above."""
    body = typed.json_schema(Report, extra="ignore")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "grader/report.schema.json", "title": "grader report",
            "description": "One graded (or rejected) submission. See docs/report.md. "
                           "Generated from grader/report/model.py.", **body}


def load_report(path: Path) -> Report:
    """Read a saved report.json; ValueError with a clear message if it is not one.

    OSError (missing file, no permission) is left to the caller.
    """
    size = path.stat().st_size
    if size > MAX_REPORT_BYTES:
        raise ValueError(f"{size:,} bytes is larger than any report grader writes "
                         f"(cap {MAX_REPORT_BYTES // (1024 * 1024)} MiB)")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(f"not valid JSON ({exc})") from None
    return Report.from_dict(data)


def now() -> str:
    """The current time as the report writes it (ISO 8601, UTC, seconds)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def rejected_report(submission: SubmissionInfo, message: str, rule: str,
                    challenge: ChallengeInfo | None = None,
                    timings: dict[str, float] | None = None,
                    environment: Environment | None = None) -> Report:
    """The report of a submission refused at intake: score 0, the rule and its message."""
    return Report(
        schema_version=SCHEMA_VERSION, status="rejected", submission=submission,
        challenge=challenge,
        total=Total(points=0, max_points=0, percent=0, pending_max_points=0, bonus_points=0),
        criteria=[], checks=[],
        messages=[Message(level="error", text=message, rule=rule)],
        timings=timings or {}, environment=environment or Environment(), artifacts={},
        generated_at=now())
