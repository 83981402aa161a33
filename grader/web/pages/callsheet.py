"""A candidate as the reviewer sees them: the graded submission's score and recommendation,
its flags, the explain-your-code sheet (the questions with the code they point at), the form
that scores each manual criterion after the call (every score is kept with who gave it and
when: the latest counts, the earlier ones are the history shown), the total with those
points, and the decision (advance / hold / reject, with a reason) with its history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from grader.db.models import Decision, ManualScore
from grader.web.pages.cohort import caps_of, state_of
from grader.web.pages.csp import reviewer_page
from grader.web.pages.forms import DecisionForm, ManualScoreForm
from grader.web.pages.lookup import Candidate, candidates, invite_or_404
from grader.web.pages.scoring import call_total, manual_criteria


def reviewer(request: HttpRequest) -> User | None:
    """The reviewer acting (pages behind a session always have one)."""
    return request.user if isinstance(request.user, User) else None


def _candidate(pk: int) -> Candidate:
    invite = invite_or_404(pk)
    return candidates(invite.opening, [invite])[0]


def _score_forms(cand: Candidate, bound: ManualScoreForm | None) -> list[dict[str, Any]]:
    if cand.report is None:
        return []
    out = []
    for crit in manual_criteria(cand.report):
        latest = cand.manual.get(crit.id)
        if bound is not None and bound.data.get(f"{crit.id}-criterion") == crit.id:
            form = bound
        else:
            form = ManualScoreForm(prefix=crit.id, max_points=crit.max_points, initial={
                "criterion": crit.id, "points": latest.points if latest else None,
                "notes": latest.notes if latest else ""})
        out.append({"criterion": crit, "form": form, "latest": latest})
    return out


def _page(request: HttpRequest, cand: Candidate, score_form: ManualScoreForm | None = None,
          decision_form: DecisionForm | None = None, status: int = 200) -> HttpResponse:
    rep = cand.report
    state, klass = state_of(cand)
    total = None
    if rep is not None and rep.status == "graded":
        total = call_total(rep, {k: float(v.points) for k, v in cand.manual.items()},
                           caps_of(cand.invite.opening))
    sub_id = cand.submission_id
    history = (ManualScore.objects.filter(submission_id=sub_id).select_related("scored_by")
               .order_by("-scored_at", "-id") if sub_id else ManualScore.objects.none())
    review = rep.review if rep is not None else None
    return render(request, "grader/candidate.html", {
        "cand": cand, "invite": cand.invite, "opening": cand.invite.opening, "report": rep,
        "state": state, "state_class": klass, "total": total, "submission_id": sub_id,
        "uploads": list(reversed(cand.uploads)),
        "flags": sorted(review.flags, key=lambda f: f.kind != "red") if review else [],
        "questions": review.questions if review else [],
        "recommendation": rep.recommendation if rep is not None else None,
        "score_forms": _score_forms(cand, score_form), "score_history": history,
        "decision_form": decision_form or DecisionForm(),
        "decisions": Decision.objects.filter(invite=cand.invite).select_related(
            "decided_by").order_by("-decided_at", "-id")}, status=status)


@reviewer_page
@require_GET
def candidate_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _candidate(pk))


@reviewer_page
@require_POST
def score_manual(request: HttpRequest, pk: int) -> HttpResponse:
    cand = _candidate(pk)
    rep, sub_id = cand.report, cand.submission_id
    if rep is None or sub_id is None or rep.status != "graded":
        messages.error(request, "Nothing to score yet: this candidate has no graded "
                       "submission.")
        return redirect("candidate", pk=pk)
    criteria = {c.id: c for c in manual_criteria(rep)}
    criterion = next((k[: -len("-criterion")] for k in request.POST
                      if k.endswith("-criterion")), "")
    crit = criteria.get(criterion)
    if crit is None:
        messages.error(request, f"“{criterion}” is not a criterion scored after the call "
                       f"(those are: {', '.join(criteria) or 'none'}).")
        return redirect("candidate", pk=pk)
    form = ManualScoreForm(request.POST, prefix=crit.id, max_points=crit.max_points)
    if not form.is_valid() or form.cleaned_data["criterion"] != crit.id:
        messages.error(request, f"The score of “{crit.title}” was not kept: see what to fix "
                       "below.")
        return _page(request, cand, score_form=form, status=400)
    ManualScore.objects.create(submission_id=sub_id, criterion=crit.id,
                               points=form.cleaned_data["points"],
                               notes=form.cleaned_data["notes"], scored_by=reviewer(request))
    messages.success(request, f"“{crit.title}”: {form.cleaned_data['points']:g} of "
                     f"{crit.max_points:g} kept.")
    return redirect("candidate", pk=pk)


@reviewer_page
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    cand = _candidate(pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The decision was not recorded: choose advance, hold or "
                       "reject and give a reason.")
        return _page(request, cand, decision_form=form, status=400)
    Decision.objects.create(invite=cand.invite, submission_id=cand.submission_id,
                            outcome=form.cleaned_data["outcome"],
                            reason=form.cleaned_data["reason"], decided_by=reviewer(request))
    messages.success(request, f"Decision recorded: {form.cleaned_data['outcome']}.")
    return redirect("candidate", pk=pk)
