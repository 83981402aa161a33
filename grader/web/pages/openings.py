"""The reviewer's openings: the list (home), the form that creates one, and an opening's
page (its invites with the form that adds one, and its cohort table), with the small JSON
endpoint the table's script polls for live states."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from grader.db.models import Invite, Opening
from grader.web.pages import catalog
from grader.web.pages.cohort import cohort
from grader.web.pages.csp import reviewer_page
from grader.web.pages.forms import InviteForm, OpeningForm
from grader.web.pages.lookup import opening_or_404


@reviewer_page
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    openings = (Opening.objects.filter(archived=False).annotate(invite_count=Count("invites"))
                .order_by("-created_at"))
    return render(request, "grader/home.html", {"openings": openings})


@reviewer_page
@require_http_methods(["GET", "POST"])
def new_opening(request: HttpRequest) -> HttpResponse:
    form = OpeningForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            opening = form.save(commit=False)
            opening.created_by = request.user if request.user.is_authenticated else None
            opening.save()
            messages.success(request, f"Opening “{opening.title}” created. Invite "
                             "candidates below.")
            return redirect("opening", pk=opening.pk)
        messages.error(request, "The opening was not created: see what to fix below.")
    entries = {e.id: {"kits": list(e.kits), "profiles": list(e.profiles)}
               for e in catalog.available()}
    return render(request, "grader/opening_new.html", {"form": form, "catalog": entries})


def opening_context(opening: Opening, invite_form: InviteForm | None = None) -> dict[str, object]:
    return {"opening": opening, "cohort": cohort(opening),
            "invites": Invite.objects.filter(opening=opening).order_by("created_at", "id"),
            "invite_form": invite_form or InviteForm()}


@reviewer_page
@require_GET
def opening_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "grader/opening.html", opening_context(opening_or_404(pk)))


@reviewer_page
@require_GET
def opening_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The cohort's rows as JSON (state, scores, flags, decision): polled by cohort.js."""
    return JsonResponse(cohort(opening_or_404(pk)).to_dict())
