"""Body and query parsing that answers 4xx with a message instead of raising."""

import re

from quart import abort, request

from notes_quart import config

MAX_ID = 2**63 - 1


async def json_object() -> dict:
    data = await request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        abort(400, "expected a JSON object")
    return data


def note_fields(data: dict) -> tuple[str, str]:
    title, body = data.get("title"), data.get("body", "")
    if not isinstance(title, str) or not 1 <= len(title) <= config.MAX_TITLE:
        abort(422, f"title must be 1-{config.MAX_TITLE} characters")
    if not isinstance(body, str) or len(body) > config.MAX_BODY:
        abort(422, f"body must be a string of at most {config.MAX_BODY} characters")
    return title, body


def int_param(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,18}", raw) or not low <= int(raw) <= high:
        abort(422, f"{name} must be between {low} and {high}")
    return int(raw)


def note_id(raw: str) -> int:
    if not re.fullmatch(r"[0-9]{1,19}", raw) or not 1 <= int(raw) <= MAX_ID:
        abort(404, "note not found")
    return int(raw)
