"""An opening's cohort as JSON, one row per invite, from the same data as the cohort page
(grader/web/pages/lookup.py's candidates, pages/cohort.py's states): where the candidate is
(`invited`, `working`: the kit downloaded, `refused`: only refused uploads so far, then the
last accepted upload's grading: `queued`, `grading`, `graded`, `failed`; or `revoked`),
lateness, the score (automatic, and with the manual criteria scored), points per criterion,
the role profile's recommendation, green flags against its target, red flags, and the latest
decision. Ranked as summary.csv ranks (the profile-weighted score when the report has a
recommendation, else the total); rows not graded come last. Fewer than 4 graded candidates:
a warning (the hiring guides ask to meet 4-5 before deciding)."""

from __future__ import annotations

from typing import Any

from grader.db.models import Opening
from grader.web.api import scores, serialize
from grader.web.pages.cohort import GREEN_TARGET, state_of
from grader.web.pages.lookup import Candidate, candidates

Json = dict[str, Any]
LEAST_GRADED = 4


def _graded(cand: Candidate) -> Json:
    rep = cand.report
    empty: Json = {"percent": None, "total": None, "profile_percent": None,
                   "recommendation": None, "green_flags": None, "green_flags_target": None,
                   "red_flags": [], "criteria": {}}
    if rep is None or rep.status != "graded":
        return empty
    rec = rep.recommendation
    flags = rep.review.flags if rep.review else []
    return {"percent": rep.total.percent, "total": scores.total(rep, cand.manual),
            "profile_percent": rec.percent if rec else None,
            "recommendation": rec.verdict if rec else None,
            "green_flags": sum(f.kind == "green" for f in flags),
            "green_flags_target": rec.green_flags_target if rec else GREEN_TARGET,
            "red_flags": [f.id for f in flags if f.kind == "red"],
            "criteria": {c["id"]: c["points"] for c in scores.criteria(rep, cand.manual)}}


def row(cand: Candidate) -> Json:
    text, state = state_of(cand)
    return {"invite": cand.invite.pk, "candidate": cand.invite.name,
            "email": cand.invite.email, "state": state, "state_text": text,
            "late_minutes": cand.upload.late_minutes if cand.upload is not None else 0,
            "uploads": sum(u.accepted for u in cand.uploads),
            "refused_uploads": len(cand.refused), "submission": cand.submission_id,
            **_graded(cand),
            "decision": serialize.decision(cand.decision) if cand.decision else None}


def _rank(cand: Candidate) -> float | None:
    rep = cand.report
    if rep is None or rep.status != "graded":
        return None
    return float(rep.recommendation.percent if rep.recommendation else rep.total.percent)


def cohort(opening: Opening) -> Json:
    found = candidates(opening)
    ranked = sorted((c for c in found if _rank(c) is not None),
                    key=lambda c: (-(_rank(c) or 0.0), c.invite.name.lower(), c.invite.pk))
    rest = [c for c in found if _rank(c) is None]
    rows = [{"rank": n, **row(c)} for n, c in enumerate(ranked, 1)]
    rows += [{"rank": None, **row(c)} for c in rest]
    warnings = ([f"only {len(ranked)} candidate(s) graded for this opening: meet at least "
                 f"{LEAST_GRADED} before deciding (a ranking of fewer says little)"]
                if len(ranked) < LEAST_GRADED else [])
    return {"opening": serialize.opening(opening), "graded": len(ranked),
            "warnings": warnings, "rows": rows}
