"""JSON that came out of a candidate's container (results, records, answers, notebooks): read
within a size cap and a nesting depth, since json recurses and so do the walks over what it
returns. A refusal says why; it never raises."""

from __future__ import annotations

import json
from typing import Any


def depth(value: Any, limit: int) -> int:
    """How deeply lists and dicts nest in `value` (a scalar is 0), counted without recursion;
    stops counting past `limit`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list):
            continue
        level += 1
        deepest = max(deepest, level)
        if level > limit:
            return level
        stack.extend((child, level) for child in item if isinstance(child, dict | list))
    return deepest


def load_json(raw: bytes | str | None, cap: int, max_depth: int,
              what: str = "the file") -> tuple[Any, str]:
    """(value, "") or (None, why `what` was refused): over `cap` bytes, not UTF-8, not JSON,
    or lists/objects nested deeper than `max_depth` (json's own recursion limit included).
    NaN and Infinity are read as null."""
    if raw is None:
        return None, f"{what} was not written"
    if len(raw) > cap:
        return None, f"{what} is larger than {cap // 1024:,} KiB"
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        value = json.loads(text, parse_constant=lambda c: None)
    except UnicodeDecodeError:
        return None, f"{what} is not UTF-8 text"
    except RecursionError:
        return None, f"{what} is nested deeper than {max_depth} levels"
    except ValueError as exc:
        return None, f"{what} is not valid JSON: {exc}"[:300]
    if depth(value, max_depth) > max_depth:
        return None, f"{what} is nested deeper than {max_depth} levels"
    return value, ""


def json_or_none(raw: bytes | str | None) -> Any:
    """The JSON value of `raw`, or None when it is missing, not UTF-8, not JSON or nested past
    what json can read (the caller checks the shape it expects)."""
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
