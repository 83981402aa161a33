"""Record your answers for the grader.

    import answers
    answers.reset()                                   # once, at the top of the notebook
    answers.record("q1_march_revenue", 12345.67)      # after computing each answer

Each call rewrites answers.json in the current folder:
{"answers": {"q1_march_revenue": 12345.67, ...}}. numpy and pandas scalars are turned into
plain numbers, strings and booleans. Run `python check_answers.py` to check the format.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

ANSWERS_FILE = Path("answers.json")


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and callable(value.item) and not isinstance(value, dict):
        value = value.item()  # numpy / pandas scalar
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a finite number")
        return value
    raise TypeError(f"cannot record a {type(value).__name__}: use a number, a string, a "
                    "boolean, or a dict of those")


def load() -> dict[str, Any]:
    if not ANSWERS_FILE.exists():
        return {}
    return dict(json.loads(ANSWERS_FILE.read_text()).get("answers", {}))


def reset() -> None:
    """Start from an empty answers.json (so a stale answer never survives a re-run)."""
    ANSWERS_FILE.write_text(json.dumps({"answers": {}}, indent=2) + "\n")


def record(question: str, value: Any) -> None:
    answers = load()
    answers[question] = _plain(value)
    ANSWERS_FILE.write_text(json.dumps({"answers": answers}, indent=2, sort_keys=True) + "\n")
