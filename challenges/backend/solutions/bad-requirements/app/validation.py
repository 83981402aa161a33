"""Small helpers that turn bad input into 400/422 responses."""

from typing import Any

from flask import abort, request


def json_object() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "the body must be a JSON object")
    return data


def text_field(data: dict[str, Any], name: str, *, min_len: int, max_len: int,
               default: str | None = None) -> str:
    value = data.get(name, default)
    if not isinstance(value, str) or not min_len <= len(value) <= max_len:
        abort(422, f"'{name}' must be a string of {min_len} to {max_len} characters")
    return value


def int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(422, f"'{name}' must be an integer")
    if not low <= value <= high:
        abort(422, f"'{name}' must be between {low} and {high}")
    return value
