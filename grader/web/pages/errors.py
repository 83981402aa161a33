"""Refusals in plain words: the page Django shows when a form's CSRF check fails
(settings.CSRF_FAILURE_VIEW), instead of its technical one."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from grader.web.pages.csp import PAGE

CSRF_MESSAGE = ("This form could not be accepted: it has expired, or your browser did not "
                "send the security cookie that comes with it. Go back, reload the page and "
                "try again (cookies must be allowed for this site).")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    response = render(request, "grader/refused.html", {
        "title": "Form refused", "message": CSRF_MESSAGE}, status=403)
    response["Content-Security-Policy"] = PAGE
    return response
