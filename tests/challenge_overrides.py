"""The bundled challenges as the test suite grades them: production configuration with short
timeouts, so a solution that never finishes is stopped in seconds rather than waited out at
production values (120 s of training, 30 s per notebook cell). Every override is validated
like challenge.yaml itself (grader.challenge.load_challenge)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.challenge import Challenge, load_challenge

OVERRIDES: dict[str, dict[str, Any]] = {
    "wordfreq": {"limits": {"timeout_seconds": 5}},
    "datascience": {"track_config": {"cell_timeout_seconds": 10}},
    "mle": {"track_config": {"train_timeout_seconds": 30, "singles_budget_seconds": 5}},
    "backend": {"track_config": {"startup_timeout_seconds": 30}},
}


def fast_challenge(folder: Path) -> Challenge:
    """The challenge in `folder`, with the suite's short timeouts when it has some."""
    return load_challenge(folder, OVERRIDES.get(folder.name))


