"""The candidate's routes, opened by their invite's token and only for that invite (another
invite's id answers 404): the assignment (instructions, window, clock), the starter kit
(POST: the download starts the clock, once, and keeps the kit's version so the work is
graded against it), and their uploads: sent as the raw body or a multipart `file`, read
within the challenge's archive cap (413 past it, nothing kept), checked by the same intake
as the upload page (grader.web.uploads: a refusal answers 422 with what to fix, in plain
words), accepted ones queued for grading at once. The candidate sees "received" with the
sha256 and lateness, never a grading state, a score or a flag."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from grader.db.models import Invite
from grader.errors import ChallengeConfigError
from grader.web.api import serialize
from grader.web.api.auth import Caller
from grader.web.api.body import MIB, uploaded_zip
from grader.web.api.errors import ApiError
from grader.web.api.limits import UPLOADS
from grader.web.api.routing import candidate, endpoint
from grader.web.api.states import enqueue
from grader.web.invites import kit_for
from grader.web.uploads import receive_upload

log = logging.getLogger("grader.web")


def _challenge(invite: Invite) -> dict[str, Any]:
    """What the candidate is asked to build, the upload cap, whether there is a kit."""
    from grader.versions import kit_folder
    from grader.web.pages import catalog

    challenge = catalog.challenge(invite.opening.challenge)
    return {"title": challenge.title, "description": challenge.description,
            "has_kit": kit_folder(challenge) is not None,
            "max_upload_bytes": int(challenge.intake.max_archive_mb * MIB)}


def _uploads(invite: Invite) -> list[dict[str, Any]]:
    rows = list(invite.uploads.order_by("received_at", "id"))
    accepted = [u.pk for u in rows if u.accepted]
    current = accepted[-1] if accepted else None
    return [serialize.candidate_upload(u, u.pk == current) for u in rows]


def assignment(request: HttpRequest, caller: Caller, invite_id: int) -> JsonResponse:
    invite = caller.candidate_invite
    opening = invite.opening
    info = _challenge(invite)
    base = f"/api/v1/candidate/invites/{invite.pk}"
    return JsonResponse({
        "invite": invite.pk, "name": invite.name, "opening": opening.title,
        "challenge": opening.challenge, "title": info["title"],
        "description": info["description"], "framework": opening.framework or None,
        "window_minutes": opening.window_minutes, "downloaded_at":
        serialize.iso(invite.downloaded_at), "deadline": serialize.iso(invite.deadline),
        "minutes_left": serialize.minutes_left(invite), "has_kit": info["has_kit"],
        "kit": f"{base}/kit" if info["has_kit"] else None, "upload": f"{base}/uploads",
        "max_upload_bytes": info["max_upload_bytes"], "uploads": _uploads(invite)})


def kit(request: HttpRequest, caller: Caller, invite_id: int) -> HttpResponse:
    invite = caller.candidate_invite
    if not _challenge(invite)["has_kit"]:
        raise ApiError(404, "not-found", "this assessment has no starter kit: everything "
                       "you need is in its description")
    try:
        data, name = kit_for(invite)
    except ChallengeConfigError as exc:     # the opening's fault, not the candidate's
        log.error("grader: the kit of opening %s cannot be built: %s", invite.opening_id, exc)
        raise ApiError(500, "kit-unavailable", "the kit cannot be built right now: please "
                       "tell the person who invited you; your time has not started") from None
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def list_uploads(request: HttpRequest, caller: Caller, invite_id: int) -> JsonResponse:
    return JsonResponse({"uploads": _uploads(caller.candidate_invite)})


def upload(request: HttpRequest, caller: Caller, invite_id: int) -> JsonResponse:
    invite = caller.candidate_invite
    UPLOADS.take(str(invite.pk))
    received = uploaded_zip(request, _challenge(invite)["max_upload_bytes"])
    row = receive_upload(invite, received.filename, received.data)
    if not row.accepted:
        raise ApiError(422, "upload-refused", row.message,
                       {"rule": row.verdict, "upload": serialize.candidate_upload(row, False)})
    enqueue(row)
    response = JsonResponse(serialize.candidate_upload(row, True), status=201)
    response["Location"] = f"/api/v1/candidate/invites/{invite.pk}/uploads"
    return response


assignment_view = endpoint(get=candidate(assignment))
kit_view = endpoint(post=candidate(kit))
uploads_view = endpoint(get=candidate(list_uploads), post=candidate(upload))
