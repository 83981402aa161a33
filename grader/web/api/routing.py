"""One Django view per API path, dispatching by HTTP method to an `Operation` (its handler and
who may call it). The view is CSRF-exempt because the API never reads a cookie: callers are
known by their bearer token only (auth.py). Every answer is JSON (an ApiError, an unknown
method: 405 with Allow, a bug: 500 without a traceback) and is marked `Cache-Control:
no-store` (answers hold tokens and reports). The methods and access of each view are kept on
it (`api_methods`, `api_access`) for the tests that compare the routes with openapi.yaml."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from grader.web.api.auth import Access, Caller, allow, authenticate
from grader.web.api.errors import ApiError, error_response

log = logging.getLogger("grader.web")
Handler = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Operation:
    handler: Handler            # handler(request, caller, **path parameters)
    access: Access


def reviewer(handler: Handler) -> Operation:
    return Operation(handler, "reviewer")


def candidate(handler: Handler) -> Operation:
    return Operation(handler, "candidate")


def anyone_with_a_token(handler: Handler) -> Operation:
    return Operation(handler, "any")


def public(handler: Handler) -> Operation:
    return Operation(handler, "public")


def _dispatch(operations: dict[str, Operation], request: HttpRequest,
              kwargs: dict[str, Any]) -> HttpResponse:
    operation = operations.get(str(request.method))
    if operation is None:
        allowed = ", ".join(sorted(operations))
        return error_response(405, "method-not-allowed",
                              f"{request.method} is not a method of this route (it takes "
                              f"{allowed})", headers={"Allow": allowed})
    caller: Caller | None = None
    if operation.access != "public":
        caller = authenticate(request)
        allow(caller, operation.access, kwargs.get("invite_id"))
    return operation.handler(request, caller, **kwargs)


def endpoint(**methods: Operation) -> Handler:
    """The view of one path: `endpoint(get=reviewer(list_x), post=reviewer(create_x))`."""
    operations = {name.upper(): op for name, op in methods.items()}

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            response = _dispatch(operations, request, kwargs)
        except ApiError as exc:
            response = exc.response()
        except Exception:
            log.exception("grader: API %s %s failed", request.method, request.path)
            response = error_response(500, "internal-error", "the service failed on this "
                                      "request (it is logged); try again, or tell the "
                                      "service's administrator")
        response["Cache-Control"] = "no-store"
        return response

    view.api_methods = sorted(operations)                   # type: ignore[attr-defined]
    view.api_access = {m: op.access for m, op in operations.items()}  # type: ignore[attr-defined]
    return view


@csrf_exempt
def unknown_route(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Every other path under /api/: a JSON 404, not the HTML page."""
    response = error_response(404, "not-found", f"no API route {request.path} (the routes: "
                              "/api/v1/openapi.yaml)")
    response["Cache-Control"] = "no-store"
    return response


unknown_route.api_catch_all = True      # type: ignore[attr-defined]
