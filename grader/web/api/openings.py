"""Reviewers' routes of openings: list and create openings (with the role profile), read one,
list and create its invites (the candidate's link and token are answered once, at creation),
its cohort, and every decision recorded on it. Openings are the hiring team's: every
reviewer sees and works on all of them (who created each is kept)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from grader.db.models import Decision, Opening
from grader.web.api import serialize
from grader.web.api.auth import Caller
from grader.web.api.body import json_object
from grader.web.api.cohort import cohort
from grader.web.api.errors import ApiError, not_found
from grader.web.api.forms import bind
from grader.web.api.routing import endpoint, reviewer
from grader.web.invites import create_invite
from grader.web.pages.forms import InviteForm, OpeningForm

DEFAULTS = {"level": "mid", "window_minutes": 120}


def opening_or_404(opening_id: int) -> Opening:
    found = Opening.objects.select_related("created_by").filter(pk=opening_id).first()
    if found is None:
        raise not_found("opening")
    return found


def _created(data: dict[str, object], location: str) -> JsonResponse:
    response = JsonResponse(data, status=201)
    response["Location"] = location
    return response


def list_openings(request: HttpRequest, caller: Caller) -> JsonResponse:
    rows = Opening.objects.select_related("created_by").order_by("-created_at", "-id")
    if request.GET.get("archived", "") not in ("1", "true"):
        rows = rows.filter(archived=False)
    return JsonResponse({"openings": [serialize.opening(row) for row in rows]})


def create_opening(request: HttpRequest, caller: Caller) -> JsonResponse:
    form = bind(OpeningForm, {**DEFAULTS, **json_object(request)},
                renamed={"profile": "role_profile"})
    opening: Opening = form.save(commit=False)
    opening.created_by = caller.reviewer
    opening.save()
    return _created(serialize.opening(opening), f"/api/v1/openings/{opening.pk}")


def get_opening(request: HttpRequest, caller: Caller, opening_id: int) -> JsonResponse:
    return JsonResponse(serialize.opening(opening_or_404(opening_id)))


def list_invites(request: HttpRequest, caller: Caller, opening_id: int) -> JsonResponse:
    opening = opening_or_404(opening_id)
    rows = opening.invites.select_related("created_by").order_by("created_at", "id")
    return JsonResponse({"invites": [serialize.invite(row) for row in rows]})


def new_invite(request: HttpRequest, caller: Caller, opening_id: int) -> JsonResponse:
    opening = opening_or_404(opening_id)
    if opening.archived:
        raise ApiError(409, "conflict", f"opening {opening.pk} is archived: it takes no new "
                       "invites")
    form = bind(InviteForm, json_object(request))
    made = create_invite(opening, form.cleaned_data["name"], form.cleaned_data["email"],
                         by=caller.reviewer)
    data = {**serialize.invite(made.invite), "token": made.token,
            "link": request.build_absolute_uri(reverse("invite", args=[made.token])),
            "candidate_api": request.build_absolute_uri(
                f"/api/v1/candidate/invites/{made.invite.pk}")}
    return _created(data, f"/api/v1/invites/{made.invite.pk}")


def get_cohort(request: HttpRequest, caller: Caller, opening_id: int) -> JsonResponse:
    return JsonResponse(cohort(opening_or_404(opening_id)))


def opening_decisions(request: HttpRequest, caller: Caller, opening_id: int) -> JsonResponse:
    opening = opening_or_404(opening_id)
    rows = Decision.objects.filter(invite__opening=opening).select_related(
        "invite", "decided_by").order_by("-decided_at", "-id")
    return JsonResponse({"decisions": [serialize.decision(row) for row in rows]})


openings = endpoint(get=reviewer(list_openings), post=reviewer(create_opening))
opening = endpoint(get=reviewer(get_opening))
invites = endpoint(get=reviewer(list_invites), post=reviewer(new_invite))
cohort_view = endpoint(get=reviewer(get_cohort))
decisions = endpoint(get=reviewer(opening_decisions))
