"""CheckResult: the one value every stage that judges a submission produces.

Tracks (runtime checks) and analysis (static facts) both return lists of CheckResult; the
rubric turns them into scores and the report carries them verbatim. Evidence must be
JSON-serialisable and already truncated to a reasonable size by whoever made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from grader import typed
from grader.text import bounded
from grader.typed import spec

Status = Literal["passed", "failed", "error", "skipped", "not_run"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "error", "skipped", "not_run")
Kind = Literal["runtime", "static", "build", "intake"]


@dataclass
class CheckResult:
    """The outcome of one check.

    points/max_points give partial credit: a check worth 2 may earn 1.5. Statuses:

    - `passed` / `failed`: the check ran and judged what it saw (a failed check may keep
      partial points);
    - `error`: the check itself broke (a runner that produced no results, a grader bug);
    - `not_run` (2.0): an earlier step it depends on did not happen (the server never
      answered, training wrote no model): 0 points, `message` says why and `blocked_by`
      names the check of that step. Flags and questions never fire on it: nothing was
      observed;
    - `skipped`: the check does not apply to this submission (0 points of its max_points).
    """

    id: str
    status: Status
    points: float = spec(schema={"minimum": 0})
    max_points: float = spec(1.0, schema={"minimum": 0})
    title: str = ""
    message: str = ""
    kind: Kind = "runtime"
    evidence: dict[str, Any] = spec(default_factory=dict,
                                    doc="what the check saw (a run's outcome, HTTP exchanges, "
                                        "expected vs got, ...), already capped")
    #: Key figures the reviewer should see first (label -> value), e.g.
    #: {"ROC AUC (holdout)": 0.83}; renderings show them above the criteria. Optional (1.2).
    figures: dict[str, float | str] = spec(default_factory=dict,
                                           doc="key figures, label -> value (1.2)")
    #: For `not_run`: the id of the check whose step did not happen (2.0).
    blocked_by: str = spec("", doc="not_run: the check of the step that stopped it (2.0)")

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"check {self.id!r}: status must be one of {STATUSES}")
        if self.max_points < 0:
            raise ValueError(f"check {self.id!r}: max_points must be >= 0")
        self.points = max(0.0, min(float(self.points), float(self.max_points)))
        self.max_points = float(self.max_points)
        # Evidence comes from what candidate code printed or answered: bounded here, so no
        # depth or size of it reaches the report, its renderings or the grader's recursion.
        self.evidence = bounded(self.evidence, depth=10) if isinstance(self.evidence, dict) \
            else {}
        self.message = bounded(self.message, text=8000)
        self.title = self.title[:300]

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
    def not_run(cls, id: str, reason: str, blocked_by: str = "", max_points: float = 1.0,
                **kw: Any) -> CheckResult:
        """A check that could not run: `reason` says which earlier step stopped it."""
        message = reason if reason.startswith("not run") else f"not run: {reason}"
        return cls(id=id, status="not_run", points=0.0, max_points=max_points,
                   message=message, blocked_by=blocked_by, **kw)

    def observed_status(self) -> int | None:
        """The HTTP status the check saw: its last recorded exchange's response, or its
        evidence's `status` (None when it saw none)."""
        exchanges = self.evidence.get("exchanges")
        if isinstance(exchanges, list):
            for exchange in reversed(exchanges):
                response = exchange.get("response") if isinstance(exchange, dict) else None
                status = response.get("status") if isinstance(response, dict) else None
                if isinstance(status, int) and not isinstance(status, bool):
                    return status
        status = self.evidence.get("status")
        return status if isinstance(status, int) and not isinstance(status, bool) else None

    @property
    def observed(self) -> bool:
        """Whether the check saw the submission do something (passed or failed)."""
        return self.status in ("passed", "failed")

    @classmethod
    def unverified(cls, id: str, reason: str, **kw: Any) -> CheckResult:
        """A check nothing observed can confirm or refute (e.g. a cleaning step whose answers
        are wrong for an unrelated reason): skipped and worth 0, so it costs nothing; a
        criterion made only of such checks is left out of the total."""
        return cls(id=id, status="skipped", points=0.0, max_points=0.0,
                   message=reason if reason.startswith("unverified") else
                   f"unverified: {reason}", **kw)

    @classmethod
    def skipped(cls, id: str, message: str, max_points: float = 1.0, **kw: Any) -> CheckResult:
        return cls(id=id, status="skipped", points=0.0, max_points=max_points,
                   message=message, **kw)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = typed.dump(self)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        return typed.load(cls, data, context=typed.Context(extra="ignore"))
