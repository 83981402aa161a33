"""What a role profile recommends for a graded report: a pure function of the report, the
profile and the challenge's caps and review flags (no Docker, no track).

- The profile-weighted score: each scored criterion's points times the profile's weight for
  it (default 1; bonus criteria 0 unless the profile weighs them), over the same weights
  times the criteria's maxima; pending (manual) and unverified criteria left out. The total's
  caps apply to it as to the total: a flaw that caps the total caps this score too.
- The verdict: `advance` when the score reaches the band's `advance`, no cap applied, the
  submission is in the pinned framework, it earned the green flags the role targets and
  raised no more red flags than the level allows;
  `do-not-advance` below the band's `borderline`; `borderline` otherwise. A cap (a flaw the
  challenge treats as disqualifying: a security hole, a wrong headline answer) therefore never
  advances, whatever the level.
- Reasons, each pointing at the checks and flags it rests on: the framework, each cap, the
  score against the band with the criteria that cost most, the green flags against the target.

`apply_profile` puts the recommendation into the report, raises the framework-mismatch red
flag with its question first, and puts the profile's questions first on the sheet.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import Any, Literal

from grader.challenge import Challenge
from grader.challenge_parts import Cap
from grader.profiles import Profile
from grader.report.model import Flag, Question, Reason, Recommendation, Report, Review
from grader.review.build import review_config

MISMATCH_FLAG = "framework-mismatch"
Verdict = Literal["advance", "borderline", "do-not-advance"]
_FAILED = ("failed", "error")


def _detected_framework(report: Report) -> str | None:
    """The framework the submission is written in: the backend track's detection (the
    `static.framework` check's evidence), else what submission.yaml declares."""
    check = report.check_map.get("static.framework")
    detected = check.evidence.get("detected") if check is not None else None
    if isinstance(detected, str) and detected:
        return detected.lower()
    return report.submission.framework


def _capped(report: Report, caps: Sequence[Cap]) -> list[tuple[Cap, list[str]]]:
    """The caps that applied (total.capped_by: "<id>: <reason> (<checks>)"), with their checks."""
    by_id = {cap.id: cap for cap in caps}
    out = []
    for entry in report.total.capped_by:
        cap = by_id.get(entry.split(":", 1)[0].strip())
        if cap is None:
            continue
        found = re.search(r"\(([^()]*)\)\s*$", entry)
        checks = [c.strip() for c in found.group(1).split(",")] if found else []
        out.append((cap, [c for c in checks if c]))
    return out


def _flags_of(report: Report, checks: list[str], flag_specs: list[dict[str, Any]]) -> list[str]:
    """The red flags raised in `report` whose condition names one of `checks`."""
    raised = {f.id for f in (report.review.flags if report.review else []) if f.kind == "red"}
    out = []
    for spec in flag_specs:
        pattern = (spec.get("when") or {}).get("check") if isinstance(spec.get("when"),
                                                                        dict) else None
        if spec.get("id") in raised and isinstance(pattern, str) and any(
                fnmatchcase(c, pattern) for c in checks):
            out.append(str(spec["id"]))
    return list(dict.fromkeys(out))


def weighted_percent(report: Report, profile: Profile, caps: Sequence[Cap]) -> float:
    """The profile-weighted score (see the module's docstring), capped like the total."""
    earned = available = 0.0
    for criterion in report.criteria:
        if criterion.status not in ("scored", "bonus"):
            continue
        weight = profile.weights.get(criterion.id, 1.0 if criterion.status == "scored" else 0.0)
        earned += weight * criterion.points
        available += weight * criterion.max_points
    percent = 100 * earned / available if available else 0.0
    limits = [cap.total_percent for cap, _ in _capped(report, caps)
              if cap.total_percent is not None]
    return round(min([percent, *limits]), 1)


def _costliest(report: Report, profile: Profile) -> tuple[str, list[str]]:
    """The two criteria that lost most weighted points, in words, and their failed checks."""
    statuses = {c.id: c.status for c in report.checks}
    losses = []
    for criterion in report.criteria:
        if criterion.status not in ("scored", "bonus"):
            continue
        weight = profile.weights.get(criterion.id, 1.0 if criterion.status == "scored" else 0.0)
        lost = weight * (criterion.max_points - criterion.points)
        if lost > 0.05:
            losses.append((lost, criterion))
    losses.sort(key=lambda item: -item[0])
    words, checks = [], []
    for _, criterion in losses[:2]:
        weight = profile.weights.get(criterion.id, 1.0)
        words.append(f"{criterion.title} ({criterion.points:g} of {criterion.max_points:g}"
                     + (f", weight {weight:g}" if weight != 1 else "") + ")")
        checks += [c for c in criterion.checks if statuses.get(c) in _FAILED][:4]
    return "; ".join(words), checks


def recommend(report: Report, profile: Profile, caps: Sequence[Cap],
              flag_specs: list[dict[str, Any]] | None = None) -> Recommendation:
    """The profile's recommendation for `report` (see the module's docstring)."""
    specs = flag_specs or []
    reasons: list[Reason] = []
    percent = weighted_percent(report, profile, caps)
    band = profile.band
    detected = _detected_framework(report)
    mismatch = bool(profile.frameworks) and detected not in profile.frameworks
    if mismatch:
        pinned = " or ".join(profile.frameworks)
        written = f"written in {detected}" if detected else "in no framework grader recognises"
        reasons.append(Reason(
            text=f"the role is {pinned}; the submission is {written}: not advanced until the "
                 "call explains why (the score is not lowered for it)",
            checks=["static.framework"] if "static.framework" in report.check_map else [],
            flags=[MISMATCH_FLAG]))
    capped = _capped(report, caps)
    for cap, checks in capped:
        limit = f" (total capped at {cap.total_percent:g} %)" if cap.total_percent else ""
        reasons.append(Reason(text=f"{cap.reason}{limit}: never advanced with this flaw",
                              checks=checks, flags=_flags_of(report, checks, specs)))
    where, costly = _costliest(report, profile)
    against = (f"at least the {profile.level} band's {band.advance:g} % to advance"
               if percent >= band.advance else
               f"under the {profile.level} band's {band.advance:g} % to advance"
               + (f" and its {band.borderline:g} % for borderline" if percent < band.borderline
                  else f" (borderline from {band.borderline:g} %)"))
    reasons.append(Reason(text=f"profile-weighted score {percent:g} %: {against}"
                               + (f"; most lost in {where}" if where else ""), checks=costly))
    review = report.review
    greens = [f.id for f in review.flags if f.kind == "green"] if review else []
    reds = [f.id for f in review.flags if f.kind == "red"] if review else []
    short = len(greens) < profile.green_flags_target
    reasons.append(Reason(
        text=f"{len(greens)} green flag(s) against the {profile.green_flags_target} the role "
             "targets" + (": not enough to advance" if short else ""), flags=greens))
    too_red = profile.max_red_flags is not None and len(reds) > profile.max_red_flags
    if reds:
        allowed = ("" if profile.max_red_flags is None else
                   f" ({profile.max_red_flags} at most to advance at this level"
                   + (": too many" if too_red else "") + ")")
        reasons.append(Reason(text=f"{len(reds)} red flag(s){allowed}", flags=reds))
    verdict: Verdict
    if percent < band.borderline:
        verdict = "do-not-advance"
    elif (percent >= band.advance and not capped and not mismatch and not short
          and not too_red):
        verdict = "advance"
    else:
        verdict = "borderline"
    return Recommendation(profile=profile.id, level=profile.level, advance_at=band.advance,
                          borderline_at=band.borderline, percent=percent,
                          green_flags=len(greens), green_flags_target=profile.green_flags_target,
                          verdict=verdict, reasons=reasons, frameworks=list(profile.frameworks),
                          title=profile.title)


def apply_profile(report: Report, profile: Profile, challenge: Challenge) -> Report:
    """A copy of `report` with the profile's recommendation, the framework-mismatch flag and
    question first when the submission is not in the pinned framework, and the profile's
    questions put first on the call sheet. Reports that were not graded are returned as they
    are."""
    if report.status != "graded":
        return report
    report = copy.deepcopy(report)  # the caller's report is left as it was
    flag_specs, _ = review_config(challenge.root)
    recommendation = recommend(report, profile, challenge.caps, flag_specs)
    review = report.review or Review()
    questions = list(review.questions)
    first = {qid: i for i, qid in enumerate(profile.questions_first)}
    questions.sort(key=lambda q: first.get(q.id, len(first)))
    flags = list(review.flags)
    if any(MISMATCH_FLAG in r.flags for r in recommendation.reasons):
        detected = _detected_framework(report) or "another framework"
        pinned = " or ".join(profile.frameworks)
        flags.insert(0, Flag(id=MISMATCH_FLAG, kind="red",
                             label=f"Not the role's framework ({pinned})",
                             evidence=f"written in {detected}"))
        questions.insert(0, Question(
            id=MISMATCH_FLAG, text=f"The role is {pinned}; you chose {detected}. Why, and "
            f"what would change in this code if you wrote it in {pinned}?",
            why="the submission is not in the framework the role pins"))
    report.review = Review(flags=flags, green_flags=sum(f.kind == "green" for f in flags),
                           red_flags=sum(f.kind == "red" for f in flags), questions=questions,
                           error=review.error)
    report.recommendation = recommendation
    return report
