"""A report rendered as Gradescope's autograder `results.json`.

Format (https://gradescope-autograders.readthedocs.io/en/latest/specs/): `score` (the total
over scored criteria; manual criteria are pending and left out), `execution_time` (seconds),
`output` (a summary), and one entry in `tests[]` per check with `name`, `score`, `max_score`,
`status` (passed/failed), `output` and `visibility`. Checks are weighted as the rubric weighs
them, so the tests' scores add up to `score`.
"""

from __future__ import annotations

from typing import Any

from grader.report.model import Report

VISIBILITY = "after_published"  # reviewers publish after the explain-your-code call


def _weights(report: Report) -> dict[str, float]:
    """points per unit of a check's max_points, from the criterion that scores it."""
    weights: dict[str, float] = {}
    by_id = report.check_map
    for criterion in report.criteria:
        if criterion.status != "scored":
            continue
        ids = [i for i in criterion.checks if i in by_id]
        available = sum(by_id[i].max_points for i in ids)
        for i in ids:
            if available:
                weights[i] = criterion.max_points / available
    return weights


def to_gradescope(report: Report) -> dict[str, Any]:
    weights = _weights(report)
    tests = []
    for check in report.checks:
        weight = weights.get(check.id)
        if weight is None:
            continue  # reported for information only, not scored
        tests.append({
            "name": check.title or check.id,
            "number": check.id,
            "score": round(check.points * weight, 4),
            "max_score": round(check.max_points * weight, 4),
            "status": "passed" if check.status == "passed" else "failed",
            "output": (f"[not run] {check.message}" if check.status == "not_run"
                       else check.message)[:5000],
            "visibility": VISIBILITY,
        })
    total = report.total
    pending = total.pending_max_points
    summary = (f"{report.status}: {total.points} / {total.max_points} points "
               f"({total.percent}%)" + (f", {pending} pending manual review" if pending else ""))
    if report.status == "rejected" and report.messages:
        summary = f"rejected: {report.messages[0].text}"
    return {"score": float(total.points),
            "execution_time": round(float(report.timings.get("total", 0)), 2),
            "output": summary, "visibility": VISIBILITY, "stdout_visibility": "hidden",
            "tests": tests}
