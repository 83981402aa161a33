"""The report: one versioned JSON document per graded submission.

Markdown (and, later, HTML and Gradescope) are renderings of it; `grader report` re-renders a
saved one. docs/report.md documents every key; grader/schemas/report.schema.json is its schema.
Versioning: a minor bump adds optional keys, a major bump breaks readers.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

SCHEMA_VERSION = "1.0"
MAX_REPORT_BYTES = 50 * 1024 * 1024
ReportStatus = Literal["graded", "rejected", "error"]
REQUIRED_KEYS = ("schema_version", "status", "submission", "challenge", "total", "criteria",
                 "checks", "timings", "environment")


@dataclass
class Report:
    schema_version: str
    status: ReportStatus
    submission: dict[str, Any]
    challenge: dict[str, Any]
    total: dict[str, Any]
    criteria: list[dict[str, Any]]
    checks: list[dict[str, Any]]
    messages: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)
    generated_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: Any) -> Report:
        if not isinstance(data, dict):
            raise ValueError("a report is a JSON object")
        missing = [k for k in REQUIRED_KEYS if k not in data]
        if missing:
            raise ValueError(f"not a grader report: missing key(s) {', '.join(missing)}")
        version = str(data["schema_version"])
        if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
            raise ValueError(f"report schema version {version} is not supported "
                             f"(this grader reads {SCHEMA_VERSION.split('.')[0]}.x)")
        if data["status"] not in ("graded", "rejected", "error"):
            raise ValueError(f"unknown report status {data['status']!r}")
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


def load_report(path: Path) -> Report:
    """Read a saved report.json; ValueError with a clear message if it is not one."""
    size = path.stat().st_size
    if size > MAX_REPORT_BYTES:
        raise ValueError(f"{size:,} bytes is larger than any report grader writes")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"not valid JSON ({exc})") from None
    return Report.from_dict(data)


def rejected_report(submission: dict[str, Any], message: str, rule: str,
                    challenge: dict[str, Any] | None = None,
                    timings: dict[str, float] | None = None,
                    environment: dict[str, Any] | None = None) -> Report:
    """The report of a submission refused at intake: score 0, the rule and its message."""
    return Report(
        schema_version=SCHEMA_VERSION, status="rejected", submission=submission,
        challenge=challenge or {},
        total={"points": 0, "max_points": 0, "percent": 0, "pending_max_points": 0,
               "bonus_points": 0},
        criteria=[], checks=[],
        messages=[{"level": "error", "text": message, "rule": rule}],
        timings=timings or {}, environment=environment or {}, artifacts={},
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat())
