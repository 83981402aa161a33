"""Parsing and validating JSON request bodies and query strings by hand."""

import json
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_]{3,32}")


class InvalidRequest(Exception):
    """Turned into a JSON error response by ApiView.dispatch."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        raw = request.body
    except RequestDataTooBig:
        raise InvalidRequest("Request body is too large.", status=413) from None
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest("Request body must be valid JSON.") from None
    if not isinstance(data, dict):
        raise InvalidRequest("Request body must be a JSON object.")
    return data


def text_field(data: dict[str, Any], name: str, *, required: bool = True, default: str = "",
               min_length: int = 0, max_length: int | None = None) -> str:
    if name not in data:
        if required:
            raise InvalidRequest(f"'{name}' is required.")
        return default
    value = data[name]
    if not isinstance(value, str):
        raise InvalidRequest(f"'{name}' must be a string.")
    if len(value) < min_length:
        raise InvalidRequest(f"'{name}' must be at least {min_length} characters.")
    if max_length is not None and len(value) > max_length:
        raise InvalidRequest(f"'{name}' must be at most {max_length} characters.")
    return value


def registration(data: dict[str, Any]) -> tuple[str, str]:
    username = text_field(data, "username", max_length=32)
    if not USERNAME_PATTERN.fullmatch(username):
        raise InvalidRequest("'username' must be 3-32 letters, digits or underscores.")
    password = text_field(data, "password", min_length=8, max_length=128)
    return username, password


def token_request(data: dict[str, Any]) -> tuple[str, str, int]:
    username = text_field(data, "username")
    password = text_field(data, "password")
    ttl = data.get("expires_in", settings.NOTES_TOKEN_TTL_DEFAULT)
    if type(ttl) is not int:
        raise InvalidRequest("'expires_in' must be an integer.")
    if not 1 <= ttl <= settings.NOTES_TOKEN_TTL_MAX:
        raise InvalidRequest(f"'expires_in' must be between 1 and {settings.NOTES_TOKEN_TTL_MAX}.")
    return username, password, ttl


def note(data: dict[str, Any]) -> tuple[str, str]:
    title = text_field(data, "title", min_length=1, max_length=200)
    body = text_field(data, "body", required=False, max_length=10_000)
    return title, body


def query_int(request: HttpRequest, name: str, default: int, minimum: int,
              maximum: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidRequest(f"'{name}' must be an integer.") from None
    if not minimum <= value <= maximum:
        raise InvalidRequest(f"'{name}' must be between {minimum} and {maximum}.")
    return value
