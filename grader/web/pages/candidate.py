"""The candidate's pages, opened by the invite's token (the link is the credential; an
unknown or revoked token answers 404, saying nothing about which): the instructions (the
kit's README rendered safely, or the challenge's description), the kit download (a POST: it
starts the clock), the time left, and the upload form. An upload is read through a handler
that stops at the assessment's size cap while the body arrives (grader/web/upload_cap.py);
the intake runs at once and its verdict is said in plain words, so the candidate can fix and
upload again before the deadline; a late upload is accepted and marked late by N minutes;
the last accepted upload is the one graded (it is queued at once); uploads per invite are
limited (the API's limit, counted together), so a script cannot fill the store through the
page either. The candidate sees "received" with the sha256, never a score, a flag or hidden
material."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from grader.db.models import Invite, Upload
from grader.errors import ChallengeConfigError
from grader.web.invites import invite_for_token, kit_for
from grader.web.pages import catalog
from grader.web.pages.csp import candidate_page
from grader.web.pages.forms import KitDownloadForm, UploadForm
from grader.web.pages.markdown import render_markdown
from grader.web.upload_cap import CappedUploadHandler

log = logging.getLogger("grader.web")
DEFAULT_CAP = 100 * 1024 * 1024


def _invite(token: str) -> Invite:
    invite = invite_for_token(token)
    if invite is None:
        raise Http404("no such invite")
    return invite


def upload_cap(invite: Invite) -> int:
    """The most bytes an upload for this invite may have: the challenge's intake cap, within
    the service's own cap on a request (settings.GRADER_MAX_REQUEST_BYTES)."""
    from django.conf import settings

    from grader.web.upload_cap import FORM_OVERHEAD

    service = int(getattr(settings, "GRADER_MAX_REQUEST_BYTES", DEFAULT_CAP)) - FORM_OVERHEAD
    try:
        own = catalog.entry(catalog.challenge(invite.opening.challenge)).max_upload_bytes
    except ChallengeConfigError:
        own = service
    return min(own, service)


def _instructions(invite: Invite) -> dict[str, Any]:
    opening = invite.opening
    try:
        chal = catalog.challenge(opening.challenge)
    except ChallengeConfigError:
        return {"challenge_title": opening.challenge, "instructions": "", "description": "",
                "has_kit": False}
    readme = catalog.kit_readme(chal, opening.framework)
    return {"challenge_title": chal.title, "has_kit": bool(catalog.kits(chal)),
            "instructions": render_markdown(readme) if readme else "",
            "description": chal.description}


def _page(request: HttpRequest, invite: Invite, form: KitDownloadForm, kit_error: str = "",
          status: int = 200) -> HttpResponse:
    now = timezone.now()
    uploads = list(Upload.objects.filter(invite=invite).defer("data").order_by(
        "-received_at", "-id"))
    graded = next((u.pk for u in uploads if u.accepted), None)
    cap = upload_cap(invite)
    return render(request, "grader/invite.html", {
        **_instructions(invite), "invite": invite, "opening": invite.opening, "form": form,
        "kit_error": kit_error, "upload_form": UploadForm(), "uploads": uploads,
        "graded_upload": graded, "cap_bytes": cap, "cap_mb": f"{cap / 2**20:.0f}",
        "deadline_iso": invite.deadline.isoformat() if invite.deadline else "",
        "time_over": bool(invite.deadline and invite.deadline < now),
        "minutes_left": (max(0, int((invite.deadline - now).total_seconds() // 60))
                         if invite.deadline else None)}, status=status)


@candidate_page
@require_http_methods(["GET", "POST"])
def invite_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the page. POST: the kit download (starts the clock, once)."""
    invite = _invite(token)
    if request.method != "POST":
        return _page(request, invite, KitDownloadForm())
    form = KitDownloadForm(request.POST)
    if not form.is_valid():
        return _page(request, invite, form, "Use the download button on this page.", 400)
    if not _instructions(invite)["has_kit"]:
        return _page(request, invite, form, "This assessment has no starter kit.", 404)
    try:
        data, name = kit_for(invite)
    except ChallengeConfigError as exc:   # the opening's fault, not the candidate's
        log.error("grader: the kit of opening %s cannot be built: %s", invite.opening_id, exc)
        return _page(request, invite, form, "The kit cannot be built right now. Please tell "
                     "the person who invited you; your time has not started.", 503)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _answer(request: HttpRequest, invite_url: str, ok: bool, text: str, status: int,
            upload: Upload | None = None) -> HttpResponse:
    """The verdict as a message on the page, and JSON for the page's script (XHR with
    progress, which then reloads the page) or a redirect back to the page."""
    (messages.success if ok else messages.error)(request, text)
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return JsonResponse({
            "accepted": ok, "message": text, "redirect": invite_url,
            "verdict": upload.verdict if upload else "",
            "sha256": upload.sha256 if upload is not None and upload.accepted else "",
            "late_minutes": upload.late_minutes if upload else 0}, status=status)
    return redirect(invite_url, permanent=False)


@csrf_protect
def _receive(request: HttpRequest, invite: Invite, handler: CappedUploadHandler,
             token: str) -> HttpResponse:
    from grader.web.pages.lookup import job_queue
    from grader.web.uploads import receive_upload

    page = reverse("invite", args=[token])
    form = UploadForm(request.POST, request.FILES)   # reads the body through `handler`
    if handler.refused:
        Upload.objects.create(invite=invite, filename="", data=b"", accepted=False,
                              size=max(handler.received, handler.declared), sha256="",
                              verdict=handler.rule, message=handler.refused,
                              late_minutes=invite.minutes_late(timezone.now()),
                              challenge=invite.opening.challenge)
        return _answer(request, page, False, handler.refused, 413)
    if not form.is_valid():
        return _answer(request, page, False, "Choose your zip file, then upload it.", 400)
    sent = form.cleaned_data["file"]
    try:
        upload = receive_upload(invite, sent.name or "upload.zip", sent.read())
    except RuntimeError as exc:
        log.error("grader: upload for invite %s not checked: %s", invite.pk, exc)
        return _answer(request, page, False, "Uploads cannot be checked right now. Please "
                       "tell the person who invited you; nothing was lost on your side.", 503)
    finally:
        sent.close()
    if not upload.accepted:
        return _answer(request, page, False, f"Not accepted: {upload.message} Fix it and "
                       "upload again.", 200, upload)
    try:
        job_queue().enqueue_upload(upload.pk)
    except Exception:     # the upload is kept; a reviewer can queue it from the cohort page
        log.exception("grader: upload %s kept but not queued", upload.pk)
    late = f" It arrived late by {upload.late_minutes} minutes." if upload.late_minutes else ""
    return _answer(request, page, True, f"Received: sha256 {upload.sha256}.{late} This is the "
                   "upload that will be graded unless you upload again.", 200, upload)


def _too_many(invite: Invite) -> str:
    """Why this upload is refused before it is read, when the invite has used up its uploads
    for now (the API's limit: one count per invite, page and API together), or ''."""
    from grader.web.api import limits
    from grader.web.api.errors import ApiError

    try:
        limits.UPLOADS.take(str(invite.pk))
    except ApiError:
        return (f"Too many uploads for this invite: at most {limits.UPLOADS.count} an hour. "
                "Wait a while, then upload again; your last accepted upload is kept.")
    return ""


@csrf_exempt      # checked by _receive, once the capped handler is in place
@candidate_page
@require_POST
def upload(request: HttpRequest, token: str) -> HttpResponse:
    """The candidate's zip (see the module's docstring)."""
    invite = _invite(token)
    refused = _too_many(invite)
    if refused:
        return _answer(request, reverse("invite", args=[token]), False, refused, 429)
    handler = CappedUploadHandler(upload_cap(invite))
    request.upload_handlers = [handler]
    return _receive(request, invite, handler, token)
