"""Side by side: 2 to 5 chosen candidates of an opening (their scores, the recommendation,
points per criterion, green and red flags, and the first questions for the call), and the
similarity of the opening's graded submissions, pair by pair (grader/similarity.py on the
fingerprints the store keeps; the fragments of an unusually similar pair shown side by
side)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from grader import similarity
from grader.db.models import Invite, Submission
from grader.web.pages.cohort import caps_of, criteria_of, row_of
from grader.web.pages.csp import reviewer_page
from grader.web.pages.lookup import Candidate, candidates, opening_or_404, store

MIN_COMPARED, MAX_COMPARED = 2, 5
FIRST_QUESTIONS = 3


def _graded(cand: Candidate) -> bool:
    return cand.report is not None and cand.report.status == "graded"


def _chosen(request: HttpRequest, pk: int) -> tuple[list[Candidate], str]:
    """The candidates asked for, or why they cannot be compared."""
    ids = []
    for value in request.GET.getlist("c"):
        if not value.isdigit():
            return [], f"“{value}” is not a candidate of this opening."
        ids.append(int(value))
    ids = list(dict.fromkeys(ids))
    if not MIN_COMPARED <= len(ids) <= MAX_COMPARED:
        return [], (f"Choose {MIN_COMPARED} to {MAX_COMPARED} graded candidates to compare "
                    f"({len(ids)} chosen).")
    invites = list(Invite.objects.filter(opening_id=pk, pk__in=ids))
    if len(invites) != len(ids):
        return [], "Some of the chosen candidates are not in this opening."
    found = {c.invite.pk: c for c in candidates(invites[0].opening, invites)}
    ungraded = [found[i].invite.name for i in ids if not _graded(found[i])]
    if ungraded:
        return [], f"Not graded yet, so not comparable: {', '.join(ungraded)}."
    return [found[i] for i in ids], ""


@reviewer_page
@require_GET
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    opening = opening_or_404(pk)
    chosen, problem = _chosen(request, pk)
    if problem:
        messages.error(request, problem)
        return redirect("opening", pk=pk)
    reports = [c.report for c in chosen if c.report is not None]
    criteria = criteria_of(opening, reports)
    caps = caps_of(opening)
    rows = [row_of(c, caps, criteria) for c in chosen]
    people: list[dict[str, Any]] = []
    for cand, row in zip(chosen, rows, strict=True):
        review = cand.report.review if cand.report is not None else None
        people.append({
            "cand": cand, "row": row,
            "greens": [f for f in review.flags if f.kind == "green"] if review else [],
            "reds": [f for f in review.flags if f.kind == "red"] if review else [],
            "questions": review.questions[:FIRST_QUESTIONS] if review else []})
    lines = [("score", "Score"), ("with_call", "With the call"), ("profile", "Profile score"),
             ("recommendation", "Recommendation"),
             *[(f"crit:{cid}", title) for cid, title, _ in criteria],
             ("green", "Green flags"), ("red", "Red flags"), ("late", "Late"),
             ("decision", "Decision")]
    table = [{"key": key, "title": title,
              "cells": [row.cells.get(key) for row in rows]} for key, title in lines]
    return render(request, "grader/compare.html", {"opening": opening, "people": people,
                                                   "table": table})


def _read(sub_id: str) -> Any:
    return lambda rel: store().source_text(sub_id, rel)


@reviewer_page
@require_GET
def similar_pairs(request: HttpRequest, pk: int) -> HttpResponse:
    opening = opening_or_404(pk)
    graded = {c.submission_id: c.invite.name for c in candidates(opening)
              if c.submission_id and c.report is not None and c.report.status == "graded"}
    prints = {row[0]: json.loads(row[1] or "{}") for row in Submission.objects.filter(
        pk__in=list(graded)).values_list("id", "fingerprints")}
    ids = sorted(prints)
    pairs = []
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            score, fragments = similarity.compare(prints[a], prints[b])
            flagged = score >= similarity.THRESHOLD
            shown = []
            for frag in fragments[:3] if flagged else []:
                shown.append({"a": frag["a"], "b": frag["b"],
                              "a_excerpt": similarity.excerpt(_read(a), frag["a"]),
                              "b_excerpt": similarity.excerpt(_read(b), frag["b"])})
            pairs.append({"a": graded[a], "b": graded[b], "a_id": a, "b_id": b,
                          "score": score, "percent": f"{score:.0%}", "flagged": flagged,
                          "fragments": shown})
    pairs.sort(key=lambda p: -float(str(p["score"])))
    return render(request, "grader/similarity.html", {
        "opening": opening, "pairs": pairs, "graded": len(ids),
        "threshold": f"{similarity.THRESHOLD:.0%}"})
