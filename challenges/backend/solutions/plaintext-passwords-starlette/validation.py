"""Turns request input into clean values or raises a 4xx HTTPException."""
import json
import re

from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request

MAX_BODY_BYTES = 1_000_000
USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{3,32}$")


async def read_json(request: Request) -> dict:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise HTTPException(413, "request body too large")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise HTTPException(413, "request body too large")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise HTTPException(400, "body is not valid JSON")
    if not isinstance(data, dict):
        raise HTTPException(422, "body must be a JSON object")
    return data


def _string(data: dict, key: str, *, required: bool = True, default: str = "") -> str:
    if key not in data:
        if required:
            raise HTTPException(422, f"'{key}' is required")
        return default
    value = data[key]
    if not isinstance(value, str):
        raise HTTPException(422, f"'{key}' must be a string")
    return value


def parse_credentials(data: dict) -> tuple[str, str]:
    username = _string(data, "username")
    password = _string(data, "password")
    if not USERNAME_RE.match(username):
        raise HTTPException(422, "username must be 3-32 letters, digits or underscores")
    if not 8 <= len(password) <= 128:
        raise HTTPException(422, "password must be 8 to 128 characters")
    return username, password


def parse_token_request(data: dict) -> tuple[str, str, int]:
    username = _string(data, "username")
    password = _string(data, "password")
    expires_in = data.get("expires_in", 3600)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int) \
            or not 1 <= expires_in <= 86400:
        raise HTTPException(422, "expires_in must be an integer between 1 and 86400")
    return username, password, expires_in


def parse_note(data: dict) -> tuple[str, str]:
    title = _string(data, "title")
    body = _string(data, "body", required=False)
    if not 1 <= len(title) <= 200:
        raise HTTPException(422, "title must be 1 to 200 characters")
    if len(body) > 10_000:
        raise HTTPException(422, "body must be at most 10000 characters")
    return title, body


def _int_param(params: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise HTTPException(422, f"{name} must be an integer")
    if not low <= value <= high:
        raise HTTPException(422, f"{name} must be between {low} and {high}")
    return value


def parse_page(params: QueryParams) -> tuple[int, int]:
    return (_int_param(params, "limit", 20, 1, 100),
            _int_param(params, "offset", 0, 0, 2**63 - 1))
