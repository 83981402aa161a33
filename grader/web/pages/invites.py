"""The reviewer's side of invites: add one to an opening (name, e-mail as text) and see its
link once (the token is unguessable; only its hash is kept, so the link cannot be shown
again: a lost link means a new invite), and revoke one (its link then opens nothing)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from grader.web.invites import create_invite, revoke
from grader.web.pages.csp import reviewer_page
from grader.web.pages.forms import InviteForm
from grader.web.pages.lookup import invite_or_404, opening_or_404
from grader.web.pages.openings import opening_context


@reviewer_page
@require_POST
def add_invite(request: HttpRequest, pk: int) -> HttpResponse:
    opening = opening_or_404(pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The invite was not created: see what to fix below.")
        return render(request, "grader/opening.html", opening_context(opening, form),
                      status=400)
    if opening.archived:
        messages.error(request, "This opening is archived: it takes no new invites.")
        return redirect("opening", pk=opening.pk)
    made = create_invite(opening, form.cleaned_data["name"], form.cleaned_data["email"],
                         by=request.user)
    link = request.build_absolute_uri(reverse("invite", args=[made.token]))
    # answered directly (not a redirect): the link is in this page only, never stored
    return render(request, "grader/invite_created.html", {
        "opening": opening, "invite": made.invite, "link": link})


@reviewer_page
@require_POST
def revoke_invite(request: HttpRequest, pk: int) -> HttpResponse:
    invite = invite_or_404(pk)
    if invite.revoked:
        messages.info(request, f"The invite of {invite.name} was already revoked.")
    else:
        revoke(invite)
        messages.success(request, f"The invite of {invite.name} is revoked: its link opens "
                         "nothing now. Uploads already received are kept.")
    return redirect("opening", pk=invite.opening_id)
