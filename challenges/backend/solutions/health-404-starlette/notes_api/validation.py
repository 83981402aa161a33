"""Request parsing and validation. Anything wrong with the input becomes an ApiError."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request

MAX_BODY_BYTES = 1024 * 1024
USERNAME_RE = re.compile(r"[A-Za-z0-9_]{3,32}")
SQLITE_MAX_INT = 2**63 - 1


class ApiError(Exception):
    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


async def json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "Request body too large")
    try:
        data = json.loads(raw)
    except ValueError:
        raise ApiError(400, "Body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(422, "Body must be a JSON object")
    return data


def _string(data: dict[str, Any], field: str, *, min_len: int, max_len: int,
            default: str | None = None) -> str:
    value = data.get(field, default)
    if value is None:
        raise ApiError(422, f"'{field}' is required")
    if not isinstance(value, str):
        raise ApiError(422, f"'{field}' must be a string")
    if not min_len <= len(value) <= max_len:
        raise ApiError(422, f"'{field}' must be {min_len} to {max_len} characters long")
    return value


def credentials(data: dict[str, Any]) -> tuple[str, str]:
    username = _string(data, "username", min_len=3, max_len=32)
    if not USERNAME_RE.fullmatch(username):
        raise ApiError(422, "'username' may only contain letters, digits and underscores")
    password = _string(data, "password", min_len=8, max_len=128)
    return username, password


def login(data: dict[str, Any]) -> tuple[str, str, int]:
    username = _string(data, "username", min_len=0, max_len=1000)
    password = _string(data, "password", min_len=0, max_len=1000)
    expires_in = data.get("expires_in", 3600)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int):
        raise ApiError(422, "'expires_in' must be an integer")
    if not 1 <= expires_in <= 86400:
        raise ApiError(422, "'expires_in' must be between 1 and 86400")
    return username, password, expires_in


def note(data: dict[str, Any]) -> tuple[str, str]:
    title = _string(data, "title", min_len=1, max_len=200)
    body = _string(data, "body", min_len=0, max_len=10_000, default="")
    return title, body


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(422, f"'{name}' must be an integer") from None
    if not low <= value <= high:
        raise ApiError(422, f"'{name}' must be between {low} and {high}")
    return value
