"""Request parsing: every helper aborts with a 4xx and a message, never lets a 500 through."""

import re

from flask import abort, request

USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{3,32}$")
MAX_ID = 2**63 - 1


def json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "the body must be a JSON object")
    return data


def string(data: dict, key: str, *, min_len: int, max_len: int, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        abort(422, f"'{key}' must be a string")
    if not min_len <= len(value) <= max_len:
        abort(422, f"'{key}' must be {min_len} to {max_len} characters long")
    return value


def query_int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,19}", raw) or not low <= int(raw) <= high:
        abort(422, f"'{name}' must be an integer from {low} to {high}")
    return int(raw)


def note_id_or_404(raw: str) -> int:
    if not re.fullmatch(r"\d{1,19}", raw) or not 1 <= int(raw) <= MAX_ID:
        abort(404, "no such note")
    return int(raw)
