"""Login, rate-limited: Django's LoginView (its form, password check, session and CSRF)
with failed attempts counted in Django's cache, per user name and per client address: at
LIMIT failures within WINDOW seconds, the next attempts (right or wrong) answer 429 with a
plain message until the window has passed. A success does not clear a count: logging into
one's own account must not reopen guessing at another's, nor from the same address.

The admin's login form (/admin/login/) goes through the same limit and shares the counts
(`admin_login`, routed before the admin's own URL): it must not be a way around it.

The cache is the process's own (Django's default local-memory cache), which is right for
`grader serve` (one process). Several server processes would each count apart: configure a
shared cache (CACHES in the settings) for that."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator

from grader.web.pages.csp import PAGE, with_policy

LIMIT = 5
WINDOW = 60       # seconds
MESSAGE = ("Too many failed log-ins for this user name or from this address. Wait a minute, "
           "then try again.")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def _keys(request: HttpRequest) -> list[str]:
    name = str(request.POST.get("username", "")).strip().lower()
    address = str(request.META.get("REMOTE_ADDR", ""))
    return [f"grader-login-user-{_digest(name)}", f"grader-login-addr-{_digest(address)}"]


def blocked(request: HttpRequest) -> bool:
    return any(int(cache.get(key, 0)) >= LIMIT for key in _keys(request))


def count_failure(request: HttpRequest) -> None:
    for key in _keys(request):
        cache.add(key, 0, WINDOW)       # the window starts at the first failure
        try:
            cache.incr(key)
        except ValueError:              # expired between add and incr
            cache.set(key, 1, WINDOW)


@method_decorator(with_policy(PAGE), name="dispatch")
class RateLimitedLoginView(LoginView):
    """See the module's docstring."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if blocked(request):
            return render(request, "registration/login.html", {
                "form": self.get_form_class()(request), "rate_limited": MESSAGE,
                self.redirect_field_name: self.get_redirect_url()}, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        count_failure(self.request)
        return super().form_invalid(form)


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin site's login view under the same limit: refused with 429 while blocked, a
    failure counted (the form shown again with its errors)."""
    from django.contrib import admin

    if request.method == "POST" and blocked(request):
        response = render(request, "grader/refused.html", {
            "title": "Too many failed log-ins", "message": MESSAGE}, status=429)
        response["Content-Security-Policy"] = PAGE
        return response
    response = admin.site.login(request)
    form = (getattr(response, "context_data", None) or {}).get("form")
    if request.method == "POST" and form is not None and form.errors:
        count_failure(request)
    return response
