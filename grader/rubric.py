"""Scoring: CheckResults + a challenge's rubric -> points per criterion and a total.

A pure function, tested without Docker. A criterion earns its points in proportion to the
credit of the checks it matches (partial credit). Manual criteria are pending until the
reviewer scores them after the call: shown, never counted as 0. Bonus criteria are scored and
reported beside the total (`bonus_points`), never added to it: a bonus must not hide a loss
elsewhere (a solution without ownership checks must not reach 100% through async handlers).
Unverified criteria (nothing observed could confirm or refute them) are left out of the
maximum, so an unrelated error elsewhere is not charged twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Literal

from grader import typed
from grader.challenge_parts import Cap, Criterion
from grader.checks import CheckResult
from grader.typed import spec

CriterionStatus = Literal["scored", "pending", "bonus", "unverified"]


@dataclass
class CriterionScore:
    """One criterion's result: points earned of max_points, and the checks that decided it.

    status: `scored` (counts in the total), `pending` (manual: the reviewer scores it later;
    points stay 0), `bonus` (reported beside the total) or `unverified` (every check it
    matched was skipped and worth 0: nothing could confirm or refute it, so it is left out of
    the total's maximum and costs nothing). checks: ids of the matched checks, in check order.
    """

    id: str
    title: str
    points: float = spec(schema={"minimum": 0})
    max_points: float = spec(schema={"minimum": 0})
    status: CriterionStatus = spec()
    checks: list[str] = spec()
    message: str = spec()
    description: str = ""
    manual: bool = False
    bonus: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = typed.dump(self)
        return data


@dataclass
class Total:
    """The total over `scored` criteria; pending and bonus points are reported beside it."""

    points: float = spec(schema={"minimum": 0})
    max_points: float = spec(schema={"minimum": 0})
    percent: float = spec(schema={"minimum": 0, "maximum": 100})
    pending_max_points: float = spec(0, schema={"minimum": 0})
    bonus_points: float = spec(0, schema={"minimum": 0})
    #: Criteria nothing could confirm or refute (every check of theirs skipped, worth 0):
    #: left out of max_points, so they cost nothing (2.0).
    unverified_max_points: float = spec(0, schema={"minimum": 0})
    #: Severity caps that applied (2.0): "<cap id>: <reason> (<check ids>)".
    capped_by: list[str] = spec(default_factory=list,
                                doc="severity caps that applied, each with its reason")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = typed.dump(self)
        return data


def _matches(criterion: Criterion, check_id: str) -> bool:
    return any(p == check_id or fnmatchcase(check_id, p) for p in criterion.checks)


def _round(value: float) -> float:
    rounded = round(value + 0.0, 2)
    return int(rounded) if rounded == int(rounded) else rounded  # 90 rather than 90.0


def _score_criterion(criterion: Criterion,
                     checks: Sequence[CheckResult]) -> tuple[CriterionScore, float]:
    """The criterion's score (rounded for display) and its unrounded points (for totals)."""
    def make(points: float, status: CriterionStatus, checks: list[str],
             message: str) -> CriterionScore:
        return CriterionScore(id=criterion.id, title=criterion.title, points=points,
                              max_points=_round(criterion.points), status=status,
                              checks=checks, message=message,
                              description=criterion.description, manual=criterion.manual,
                              bonus=criterion.bonus)

    if criterion.manual:
        return make(0, "pending", [], "scored by the reviewer after the explain-your-code "
                    "call"), 0.0
    matched = [c for c in checks if _matches(criterion, c.id)]
    status: CriterionStatus = "bonus" if criterion.bonus else "scored"
    available = sum(c.max_points for c in matched)
    if matched and available == 0 and not criterion.bonus and all(
            c.status == "skipped" for c in matched):
        reasons = "; ".join(dict.fromkeys(c.message for c in matched if c.message))[:300]
        return make(0, "unverified", [c.id for c in matched],
                    "nothing the submission did could confirm or refute it"
                    + (f" ({reasons})" if reasons else "")), 0.0
    if not matched or available == 0:
        message = ("no check matched: nothing could run for it" if not matched else
                   f"no check matched with points to earn ({len(matched)} matched, "
                   "all worth 0)")
        return make(0, status, [c.id for c in matched], message), 0.0
    earned = sum(c.points for c in matched)
    raw = criterion.points * earned / available
    return make(_round(raw), status, [c.id for c in matched], _summary(matched)), raw


def _summary(matched: Sequence[CheckResult]) -> str:
    """"3 of 5 check(s) passed; 2 not run (runtime.server-starts)"."""
    passed = sum(1 for c in matched if c.status == "passed")
    text = f"{passed} of {len(matched)} check(s) passed"
    not_run = [c for c in matched if c.status == "not_run"]
    if not_run:
        causes = sorted({c.blocked_by for c in not_run if c.blocked_by})
        text += f"; {len(not_run)} not run" + (f" (blocked by {', '.join(causes)})"
                                                 if causes else "")
    return text


def _triggered(caps: Sequence[Cap], checks: Sequence[CheckResult]) -> list[tuple[Cap, list[str]]]:
    """The caps whose checks failed (observed failures only: not_run never triggers one)."""
    out = []
    for cap in caps:
        hits = [c.id for c in checks if c.status == "failed"
                and any(p == c.id or fnmatchcase(c.id, p) for p in cap.checks)
                and (not cap.response or _status_in(c.observed_status(), cap.response))
                and (cap.below is None or c.points < cap.below * c.max_points)]
        if hits:
            out.append((cap, hits))
    return out


def _status_in(status: int | None, wanted: Sequence[str]) -> bool:
    if status is None:
        return False
    return any(status // 100 == int(w[0]) if w.lower().endswith("xx") else status == int(w)
               for w in wanted if w[:1].isdigit())


def score(rubric: Sequence[Criterion], checks: Sequence[CheckResult],
          caps: Sequence[Cap] = ()) -> tuple[list[CriterionScore], Total]:
    """Score every criterion (in rubric order) and the total, then apply the severity caps
    whose checks failed: a criterion earns at most its capped share, the total at most its
    capped percent."""
    scored = [_score_criterion(c, checks) for c in rubric]
    triggered = _triggered(caps, checks)
    for cap, _ in triggered:
        for cid, share in cap.criteria:
            for i, (crit, raw) in enumerate(scored):
                limit = crit.max_points * share
                if crit.id == cid and raw > limit:
                    crit.points = _round(limit)
                    crit.message += f"; capped at {_round(limit)}: {cap.reason}"
                    scored[i] = (crit, limit)
    scores = [s for s, _ in scored]
    max_points = sum(s.max_points for s in scores if s.status == "scored")
    bonus = sum(raw for s, raw in scored if s.status == "bonus")
    points = sum(raw for s, raw in scored if s.status == "scored")
    capped_by = [f"{cap.id}: {cap.reason} ({', '.join(hits[:4])})" for cap, hits in triggered]
    limits = [cap.total_percent for cap, _ in triggered if cap.total_percent is not None]
    if limits and max_points:
        points = min(points, max_points * min(limits) / 100)
    percent = round(100 * points / max_points, 1) if max_points else 0.0
    total = Total(points=_round(points), max_points=_round(max_points),
                  percent=_round(percent),
                  pending_max_points=_round(sum(s.max_points for s in scores
                                                if s.status == "pending")),
                  bonus_points=_round(bonus),
                  unverified_max_points=_round(sum(s.max_points for s in scores
                                                   if s.status == "unverified")),
                  capped_by=capped_by)
    return scores, total


def scored(rubric: Sequence[Criterion], check_id: str) -> bool:
    """Whether a scored (not manual) criterion of `rubric` counts the check `check_id`."""
    return any(_matches(c, check_id) for c in rubric if not c.manual)


def unmatched_checks(rubric: Sequence[Criterion], checks: Sequence[CheckResult]) -> list[str]:
    """Ids of checks no criterion scores (shown in reports as information only)."""
    return [c.id for c in checks
            if not any(_matches(cr, c.id) for cr in rubric if not cr.manual)]
