"""The minimal pages (the seam later pages build on): the reviewer's home listing openings
(session required), and the candidate's invite page by token with the instructions and the
kit download. Login and logout are Django's own views (urls.py)."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from grader.db.models import Opening
from grader.errors import ChallengeConfigError
from grader.web.forms import KitDownloadForm
from grader.web.invites import invite_for_token, kit_for

log = logging.getLogger("grader.web")


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    openings = (Opening.objects.filter(archived=False).annotate(invite_count=Count("invites"))
                .order_by("-created_at"))
    return render(request, "grader/home.html", {"openings": openings})


def _challenge_text(challenge_id: str) -> tuple[str, str, bool]:
    """The challenge's title and description (what the candidate is asked to build), and
    whether it has a starter kit to download."""
    from grader.challenge import find_challenge
    from grader.errors import ChallengeConfigError
    from grader.versions import kit_folder

    try:
        challenge = find_challenge(challenge_id, allow_path=False)
    except ChallengeConfigError:
        return challenge_id, "", False
    return challenge.title, challenge.description, kit_folder(challenge) is not None


@require_http_methods(["GET", "POST"])
def invite_page(request: HttpRequest, token: str) -> HttpResponse:
    invite = invite_for_token(token)
    if invite is None:
        raise Http404("no such invite")
    title, description, has_kit = _challenge_text(invite.opening.challenge)
    kit_error = ""
    if request.method == "POST":
        form = KitDownloadForm(request.POST)
        if form.is_valid() and has_kit:
            try:
                data, name = kit_for(invite)
            except ChallengeConfigError as exc:   # the opening's fault, not the candidate's
                log.error("grader: the kit of opening %s cannot be built: %s",
                          invite.opening_id, exc)
                kit_error = ("The kit cannot be built right now. Please tell the person who "
                             "invited you; your time has not started.")
            else:
                response = HttpResponse(data, content_type="application/zip")
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
    else:
        form = KitDownloadForm()
    now = timezone.now()
    return render(request, "grader/invite.html", {
        "kit_error": kit_error,
        "invite": invite, "opening": invite.opening, "form": form, "has_kit": has_kit,
        "challenge_title": title, "description": description,
        "minutes_left": (max(0, int((invite.deadline - now).total_seconds() // 60))
                         if invite.deadline else None)})
