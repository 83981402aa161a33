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

SCHEMA_VERSION = "1.1"  # 1.1: optional `review` (flags, questions for the call)
MAX_REPORT_BYTES = 50 * 1024 * 1024
ReportStatus = Literal["graded", "rejected", "error"]
STATUSES: tuple[str, ...] = ("graded", "rejected", "error")
# Every key of a 1.x report, with the JSON type it must have (schema: report.schema.json).
REQUIRED_KEYS: dict[str, type] = {
    "schema_version": str, "status": str, "submission": dict, "challenge": dict, "total": dict,
    "criteria": list, "checks": list, "messages": list, "timings": dict, "environment": dict,
    "artifacts": dict, "generated_at": str,
}
_JSON_TYPE = {str: "a string", dict: "an object", list: "an array"}
# Keys the renderings read from list items and the total; checked so a bad file fails on load.
_ITEM_KEYS = {
    "criteria": ("id", "title", "points", "max_points", "status"),
    "checks": ("id", "status", "points", "max_points"),
    "messages": ("level", "text"),
}
_TOTAL_KEYS = ("points", "max_points", "percent")


@dataclass
class Report:
    """One report document; the fields are its top-level keys (docs/report.md)."""

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
    #: Optional (1.1): {"flags": [...], "green_flags": n, "red_flags": n, "questions": [...]}
    review: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False,
                          ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: Any) -> Report:
        """Build a report from its JSON document; ValueError naming the first problem found.

        Keys added by a later 1.x minor version are ignored (this reader does not know them).
        """
        if not isinstance(data, dict):
            raise ValueError("not a grader report: a report is a JSON object")
        missing = [k for k in REQUIRED_KEYS if k not in data]
        if missing:
            raise ValueError(f"not a grader report: missing key(s) {', '.join(missing)}")
        version = data["schema_version"]
        major = SCHEMA_VERSION.split(".")[0]
        if not isinstance(version, str) or version.split(".")[0] != major:
            raise ValueError(f"report schema version {version!r} is not supported "
                             f"(this grader reads {major}.x)")
        for key, kind in REQUIRED_KEYS.items():
            if not isinstance(data[key], kind):
                raise ValueError(f"not a grader report: key '{key}' must be {_JSON_TYPE[kind]}, "
                                 f"got {type(data[key]).__name__}")
        if data["status"] not in STATUSES:
            raise ValueError(f"unknown report status {data['status']!r}: expected one of "
                             f"{', '.join(STATUSES)}")
        _require_numbers("total", data["total"], _TOTAL_KEYS)
        for key, needed in _ITEM_KEYS.items():
            for i, item in enumerate(data[key]):
                if not isinstance(item, dict):
                    raise ValueError(f"not a grader report: {key}[{i}] must be an object")
                absent = [k for k in needed if k not in item]
                if absent:
                    raise ValueError(f"not a grader report: {key}[{i}] is missing key(s) "
                                     f"{', '.join(absent)}")
                numeric = tuple(k for k in needed if k in ("points", "max_points"))
                _require_numbers(f"{key}[{i}]", item, numeric)
        for name, seconds in data["timings"].items():
            if not _is_number(seconds):
                raise ValueError(f"not a grader report: timings['{name}'] must be a number")
        if "review" in data and not isinstance(data["review"], dict):
            raise ValueError("not a grader report: key 'review' must be an object")
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _require_numbers(where: str, item: dict[str, Any], keys: tuple[str, ...]) -> None:
    for k in keys:
        if k not in item:
            raise ValueError(f"not a grader report: {where} is missing key {k}")
        if not _is_number(item[k]):
            raise ValueError(f"not a grader report: {where}.{k} must be a number, "
                             f"got {item[k]!r}")


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
