"""The Content-Security-Policy of every page, and the decorators the views wear.

- `PAGE`: the reviewer's and the candidate's pages. Scripts and styles come only from this
  service's own static files (no inline script, no inline style, nothing from the network);
  forms post only here; no page can be framed.
- `REPORT`: a report page, whose text is the candidate's (logs, notebook outputs, test
  names). The report's HTML escapes all of it; this policy is the second wall: no script at
  all (the report's own print helper is blocked too), styles inline only (the report is one
  self-contained file), images from here or inline, no form, no plugin, and a `sandbox`:
  the document gets an opaque origin, so even a script that slipped through could read no
  cookie and call nothing of this service as the reviewer.
- `ARTIFACT`: a file of the report bundle: nothing at all may run or load.

`reviewer_page`: a session is required (login, else a redirect to the login page), the
answer is never cached, and it carries `PAGE`. `candidate_page`: `PAGE` and never cached.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.cache import never_cache

PAGE = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'")
REPORT = ("default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; "
          "img-src 'self' data:; font-src data:; frame-src 'self'; object-src 'none'; "
          "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; "
          "sandbox allow-popups allow-popups-to-escape-sandbox allow-downloads")
ARTIFACT = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; " \
           "sandbox"

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def with_policy(policy: str) -> Callable[[View], View]:
    """Set `policy` on the view's answers (unless the view set its own)."""
    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            if "Content-Security-Policy" not in response:
                response["Content-Security-Policy"] = policy
            return response
        return wrapped  # type: ignore[return-value]
    return decorate


def reviewer_page(view: View) -> View:
    """A reviewer's page: session required, never cached, the page policy."""
    return with_policy(PAGE)(never_cache(login_required(view)))


def candidate_page(view: View) -> View:
    """A candidate's page: never cached, the page policy (the token is the credential)."""
    return with_policy(PAGE)(never_cache(view))
