"""A graded submission as the API shows it: its automatic score, its total with the manual
criteria scored after the call (grader/web/pages/scoring.py's `call_total`, the pages' own:
the latest score per criterion counts, a criterion not scored yet stays out of the maximum,
a severity cap still caps the total), the criteria, the role profile's recommendation, and
its flags."""

from __future__ import annotations

from typing import Any

from grader.db.models import ManualScore, Submission
from grader.errors import ChallengeConfigError
from grader.report import Report
from grader.web.api import serialize
from grader.web.pages import catalog
from grader.web.pages.scoring import call_total

Json = dict[str, Any]


def latest_manual(submission_id: str) -> dict[str, ManualScore]:
    """criterion -> its latest manual score (the earlier rows are its history)."""
    latest: dict[str, ManualScore] = {}
    for row in ManualScore.objects.filter(submission_id=submission_id).select_related(
            "scored_by").order_by("scored_at", "id"):
        latest[row.criterion] = row
    return latest


def caps_of(challenge_id: str) -> tuple[Any, ...]:
    try:
        return tuple(catalog.challenge(challenge_id).caps)
    except ChallengeConfigError:
        return ()


def total(report: Report, latest: dict[str, ManualScore]) -> Json:
    """The total with the manual points; `pending`: the manual criteria not scored yet."""
    manual = {k: float(v.points) for k, v in latest.items()}
    found = call_total(report, manual, caps_of(report.challenge.id if report.challenge
                                               else ""))
    return {"points": found.points, "max_points": found.max_points,
            "percent": found.percent, "manual_points": found.manual_points,
            "pending": [c.id for c in report.criteria
                        if (c.manual or c.status == "pending") and c.id not in manual],
            "capped_at": found.capped_at, "capped_by": list(report.total.capped_by)}


def flags(report: Report) -> Json:
    review = report.review
    every = review.flags if review else []
    return {"green": sum(f.kind == "green" for f in every),
            "red": sum(f.kind == "red" for f in every),
            "items": [{"id": f.id, "kind": f.kind, "label": f.label,
                       "where": f.where or None} for f in every]}


def recommendation(report: Report) -> Json | None:
    rec = report.recommendation
    if rec is None:
        return None
    return {"profile": rec.profile, "level": rec.level, "verdict": rec.verdict,
            "verdict_text": rec.verdict_text, "percent": rec.percent,
            "green_flags": rec.green_flags, "green_flags_target": rec.green_flags_target,
            "reasons": [r.text for r in rec.reasons]}


def criteria(report: Report, latest: dict[str, ManualScore]) -> list[Json]:
    """Each criterion's points (a manual one: its latest score, null while pending)."""
    out = []
    for c in report.criteria:
        manual = c.manual or c.status == "pending"
        scored = latest.get(c.id) if manual else None
        points = scored.points if scored else (None if manual else c.points)
        out.append({"id": c.id, "title": c.title, "points": points,
                    "max_points": c.max_points, "status": c.status, "manual": manual})
    return out


def submission(row: Submission, report: Report | None) -> Json:
    """The submission with its scores (report None: its report cannot be read)."""
    latest = latest_manual(row.pk)
    data: Json = {
        "id": row.pk, "challenge": row.challenge, "candidate": row.candidate,
        "status": row.status, "graded_at": serialize.iso_text(row.graded_at), "sha256": row.sha256,
        "percent": row.percent, "points": row.points, "max_points": row.max_points,
        "uploads": sorted(row.uploads.values_list("id", flat=True)),
        "manual_scores": [serialize.manual_score(m) for m in latest.values()],
        "total": None, "criteria": [], "recommendation": None, "flags": None}
    if report is not None:
        data.update(criteria=criteria(report, latest), recommendation=recommendation(report),
                    flags=flags(report))
        if report.status == "graded":
            data["total"] = total(report, latest)
    return data
