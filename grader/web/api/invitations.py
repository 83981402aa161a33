"""Reviewers' routes of one invite: read it (with every upload and its grading state, and
the latest decision), revoke it (its token opens nothing from then on; revoking twice is a
conflict), and its decisions: advance / hold / reject with a reason, recorded on the graded
submission it was made on (the invite's current one unless named), the history kept."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from grader.db.models import Decision, Invite, Upload
from grader.web.api import serialize
from grader.web.api.auth import Caller
from grader.web.api.body import json_object
from grader.web.api.errors import ApiError, invalid, not_found
from grader.web.api.forms import bind
from grader.web.api.routing import endpoint, reviewer
from grader.web.invites import revoke
from grader.web.pages.forms import DecisionForm
from grader.web.pages.lookup import candidates


def invite_or_404(invite_id: int) -> Invite:
    found = Invite.objects.select_related("opening", "created_by").filter(pk=invite_id).first()
    if found is None:
        raise not_found("invite")
    return found


def current_submission(invite: Invite) -> str | None:
    """The graded submission of the invite's last accepted upload (the one that counts)."""
    return candidates(invite.opening, [invite])[0].submission_id


def get_invite(request: HttpRequest, caller: Caller, invite_id: int) -> JsonResponse:
    invite = invite_or_404(invite_id)
    uploads = invite.uploads.order_by("received_at", "id")
    last = Decision.objects.filter(invite=invite).select_related(
        "invite", "decided_by").order_by("-decided_at", "-id").first()
    return JsonResponse({**serialize.invite(invite),
                         "uploads": [serialize.upload(u) for u in uploads],
                         "submission": current_submission(invite),
                         "decision": serialize.decision(last) if last else None})


def revoke_invite(request: HttpRequest, caller: Caller, invite_id: int) -> JsonResponse:
    invite = invite_or_404(invite_id)
    if invite.revoked:
        raise ApiError(409, "conflict", f"invite {invite.pk} was revoked already")
    revoke(invite)
    return JsonResponse(serialize.invite(invite))


def list_decisions(request: HttpRequest, caller: Caller, invite_id: int) -> JsonResponse:
    invite = invite_or_404(invite_id)
    rows = invite.decisions.select_related("invite", "decided_by").order_by("decided_at", "id")
    return JsonResponse({"decisions": [serialize.decision(row) for row in rows]})


def record_decision(request: HttpRequest, caller: Caller, invite_id: int) -> JsonResponse:
    invite = invite_or_404(invite_id)
    data = json_object(request)
    form = bind(DecisionForm, data, extra=("submission",))
    named = data.get("submission") or None
    if named is not None and not isinstance(named, str):
        raise invalid({"submission": ["expected a submission id (a string)"]})
    if named is not None and not Upload.objects.filter(invite=invite,
                                                       submission_id=named).exists():
        raise invalid({"submission": [f"{named} is not a graded submission of invite "
                                      f"{invite.pk}"]})
    row = Decision.objects.create(invite=invite, submission_id=named or
                                  current_submission(invite),
                                  outcome=form.cleaned_data["outcome"],
                                  reason=form.cleaned_data["reason"],
                                  decided_by=caller.reviewer)
    response = JsonResponse(serialize.decision(row), status=201)
    response["Location"] = f"/api/v1/invites/{invite.pk}/decisions"
    return response


invite = endpoint(get=reviewer(get_invite))
revoke_view = endpoint(post=reviewer(revoke_invite))
decisions = endpoint(get=reviewer(list_decisions), post=reviewer(record_decision))
