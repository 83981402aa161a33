"""The total once the reviewer has scored the manual criteria after the explain-your-code
call: a pure function of the report, the manual points and the challenge's caps.

The report's own total leaves manual criteria out (pending: never counted as 0). With the
call's points the total is the report's points plus the manual points, over the report's
maximum plus the maxima of the manual criteria scored so far; a criterion not scored yet
stays out. A severity cap that applied to the report (a security hole, a wrong headline
answer) still caps this total: the call cannot lift a disqualifying flaw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from grader.challenge_parts import Cap
from grader.report.model import Report
from grader.rubric import CriterionScore


@dataclass(frozen=True)
class CallTotal:
    points: float
    max_points: float
    percent: float
    manual_points: float          # the manual criteria scored so far, added up
    manual_scored: int            # how many of them are scored
    manual_criteria: int          # how many there are
    capped_at: float | None       # the cap that limits it (percent), if one applied

    @property
    def complete(self) -> bool:
        return self.manual_scored == self.manual_criteria


def manual_criteria(report: Report) -> list[CriterionScore]:
    """The criteria the reviewer scores after the call."""
    return [c for c in report.criteria if c.manual or c.status == "pending"]


def cap_limit(report: Report, caps: Sequence[Cap]) -> float | None:
    """The lowest total percent among the caps that applied to the report (its
    total.capped_by entries, "<cap id>: <reason> (<checks>)"), or None."""
    by_id = {cap.id: cap for cap in caps}
    limits: list[float] = []
    for entry in report.total.capped_by:
        cap = by_id.get(entry.split(":", 1)[0].strip())
        if cap is not None and cap.total_percent is not None:
            limits.append(float(cap.total_percent))
    return min(limits) if limits else None


def _round(value: float) -> float:
    return round(value + 0.0, 2)


def call_total(report: Report, manual: Mapping[str, float],
               caps: Sequence[Cap] = ()) -> CallTotal:
    """The total with the manual points (see the module's docstring)."""
    criteria = manual_criteria(report)
    scored = [c for c in criteria if c.id in manual]
    extra = sum(max(0.0, min(float(manual[c.id]), c.max_points)) for c in scored)
    points = float(report.total.points) + extra
    max_points = float(report.total.max_points) + sum(c.max_points for c in scored)
    percent = 100 * points / max_points if max_points else 0.0
    limit = cap_limit(report, caps)
    if limit is not None and percent > limit:
        percent, points = limit, max_points * limit / 100
    return CallTotal(points=_round(points), max_points=_round(max_points),
                     percent=round(percent, 1), manual_points=_round(extra),
                     manual_scored=len(scored), manual_criteria=len(criteria),
                     capped_at=limit)
