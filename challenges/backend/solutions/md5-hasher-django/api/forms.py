"""Validation of request bodies and query strings: plain functions raising BadRequest."""

import json
import re

USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{3,32}$")
MAX_ID = 2**63 - 1


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def parse_json(raw: bytes) -> dict:
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("malformed JSON", 400)
    if not isinstance(data, dict):
        raise BadRequest("expected a JSON object", 400)
    return data


def note_fields(data: dict) -> dict:
    title, body = data.get("title"), data.get("body", "")
    if not isinstance(title, str) or not 1 <= len(title) <= 200:
        raise BadRequest("title must be a string of 1 to 200 characters")
    if not isinstance(body, str) or len(body) > 10_000:
        raise BadRequest("body must be a string of at most 10000 characters")
    return {"title": title, "body": body}


def registration(data: dict) -> tuple[str, str]:
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not USERNAME_RE.match(username):
        raise BadRequest("username must be 3-32 letters, digits or underscores")
    if not isinstance(password, str) or not 8 <= len(password) <= 128:
        raise BadRequest("password must be 8-128 characters")
    return username, password


def bounded_int(raw: str | None, default: int, low: int, high: int, name: str) -> int:
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,18}", raw) or not low <= int(raw) <= high:
        raise BadRequest(f"{name} must be an integer between {low} and {high}")
    return int(raw)


def note_id(raw: str) -> int | None:
    if not re.fullmatch(r"\d{1,19}", raw) or not 1 <= int(raw) <= MAX_ID:
        return None
    return int(raw)
