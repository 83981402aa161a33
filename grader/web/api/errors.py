"""Errors of the HTTP API: an `ApiError` carries the status, a short machine-readable code
and a message in plain words; every refusal is answered as JSON
`{"error": code, "message": text, "details": {...}}` (details only where a field or a rule
can be named), never as an HTML page or a traceback."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse


class ApiError(Exception):
    """A refusal: `status` (400, 401, 403, 404, 405, 409, 413, 422, 429), `code` (e.g.
    `not-found`), `message` (what happened and what to do, in plain words)."""

    def __init__(self, status: int, code: str, message: str,
                 details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}

    def response(self) -> JsonResponse:
        return error_response(self.status, self.code, self.message, self.details,
                              self.headers)


def error_response(status: int, code: str, message: str,
                   details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> JsonResponse:
    body: dict[str, Any] = {"error": code, "message": message}
    if details:
        body["details"] = details
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def not_found(what: str) -> ApiError:
    """404, the same for "does not exist" and "not yours to see" (nothing leaks)."""
    return ApiError(404, "not-found", f"no such {what}")


def invalid(details: dict[str, list[str]], message: str = "") -> ApiError:
    """422: the request was understood, but a value is not acceptable (per field)."""
    said = message or "; ".join(f"{field}: {' '.join(errors)}"
                                for field, errors in details.items())
    return ApiError(422, "invalid", said, {"fields": details})
