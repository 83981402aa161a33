"""Request parsing: every problem becomes a 4xx with a message."""

import json
import re
from typing import Any

from aiohttp import web

USERNAME = re.compile(r"^[A-Za-z0-9_]{3,32}$")
MAX_ID = 2**63 - 1


def bad(status: int, detail: str) -> web.HTTPException:
    cls = web.HTTPBadRequest if status == 400 else web.HTTPUnprocessableEntity
    return cls(text=json.dumps({"detail": detail}), content_type="application/json")


async def json_object(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise bad(400, "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise bad(400, "the body must be a JSON object")
    return data


def text(data: dict[str, Any], name: str, low: int, high: int, default: str | None = None) -> str:
    value = data.get(name, default)
    if not isinstance(value, str) or not low <= len(value) <= high:
        raise bad(422, f"{name} must be a string of {low} to {high} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise bad(422, f"{name} is not valid text") from None
    return value


def integer(raw: object, name: str, low: int, high: int) -> int:
    if isinstance(raw, bool):
        raise bad(422, f"{name} must be an integer")
    try:
        value = int(raw) if isinstance(raw, int | str) else None
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise bad(422, f"{name} must be an integer from {low} to {high}")
    return value


def note_id(request: web.Request) -> int:
    value = int(request.match_info["note_id"])
    if not 1 <= value <= MAX_ID:
        raise web.HTTPNotFound(text=json.dumps({"detail": "note not found"}),
                               content_type="application/json")
    return value
