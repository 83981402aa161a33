"""Input checks shared by the resources: every failure is a 4xx with a description."""

import re

import falcon

USERNAME = re.compile(r"^[A-Za-z0-9_]{3,32}$")


def json_object(req: falcon.Request) -> dict:
    try:
        data = req.get_media()
    except falcon.MediaNotFoundError:
        raise falcon.HTTPBadRequest(title="Bad request", description="a JSON body is required")
    if not isinstance(data, dict):
        raise falcon.HTTPUnprocessableEntity(title="Invalid body",
                                             description="the body must be a JSON object")
    return data


def check_note(data: dict) -> None:
    """title: 1-200 characters, body: a string of at most 10,000."""
    title = data.get("title")
    if not isinstance(title, str) or not 1 <= len(title) <= 200:
        raise falcon.HTTPUnprocessableEntity(title="Invalid note",
                                             description="title must be 1-200 characters")
    body = data.get("body", "")
    if not isinstance(body, str) or len(body) > 10_000:
        raise falcon.HTTPUnprocessableEntity(title="Invalid note",
                                             description="body must be a string of at most "
                                                         "10000 characters")


def query_int(req: falcon.Request, name: str, default: int, low: int, high: int) -> int:
    raw = req.get_param(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,18}", raw) or not low <= int(raw) <= high:
        raise falcon.HTTPUnprocessableEntity(title="Invalid query",
                                             description=f"{name} must be an integer from "
                                                         f"{low} to {high}")
    return int(raw)
