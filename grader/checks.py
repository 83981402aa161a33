"""CheckResult: the one value every stage that judges a submission produces.

Tracks (runtime checks) and analysis (static facts) both return lists of CheckResult; the
rubric turns them into scores and the report carries them verbatim. Evidence must be
JSON-serialisable and already truncated to a reasonable size by whoever made it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["passed", "failed", "error", "skipped"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "error", "skipped")
Kind = Literal["runtime", "static", "build", "intake"]


@dataclass
class CheckResult:
    """The outcome of one check.

    points/max_points give partial credit: a check worth 2 may earn 1.5. A failed, errored or
    skipped check earns 0 unless its producer says otherwise. `skipped` means the check could
    not run because something before it failed; it still counts 0 of its max_points.
    """

    id: str
    status: Status
    points: float
    max_points: float = 1.0
    title: str = ""
    message: str = ""
    kind: Kind = "runtime"
    evidence: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"check {self.id!r}: status must be one of {STATUSES}")
        if self.max_points < 0:
            raise ValueError(f"check {self.id!r}: max_points must be >= 0")
        self.points = max(0.0, min(float(self.points), float(self.max_points)))
        self.max_points = float(self.max_points)

    @classmethod
    def passed(cls, id: str, message: str = "", max_points: float = 1.0, **kw: Any) -> CheckResult:
        return cls(id=id, status="passed", points=max_points, max_points=max_points,
                   message=message, **kw)

    @classmethod
    def failed(cls, id: str, message: str, max_points: float = 1.0, points: float = 0.0,
               **kw: Any) -> CheckResult:
        return cls(id=id, status="failed", points=points, max_points=max_points,
                   message=message, **kw)

    @classmethod
    def error(cls, id: str, message: str, max_points: float = 1.0, **kw: Any) -> CheckResult:
        return cls(id=id, status="error", points=0.0, max_points=max_points,
                   message=message, **kw)

    @classmethod
    def skipped(cls, id: str, message: str, max_points: float = 1.0, **kw: Any) -> CheckResult:
        return cls(id=id, status="skipped", points=0.0, max_points=max_points,
                   message=message, **kw)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        return cls(**{k: data[k] for k in (
            "id", "status", "points", "max_points", "title", "message", "kind", "evidence",
        ) if k in data})
