"""Each bundled solution graded once per test process, shared by the tests that read it.

tests/integration/test_solutions.py grades every solution of every challenge; a few other
tests look closer at one of those same gradings (the logs a graded MLE solution keeps, the
per-run times of a notebook that will not stop). Grading it again for them cost minutes of the
suite's time and proved nothing more, so they take the report from here.

Under pytest-xdist each worker is its own process with its own cache: the tests that share a
grading carry the same `xdist_group` mark (`shared(...)`), and scripts/test.sh runs the suite
with `--dist loadgroup`, which sends a group to one worker. Without the grouping (another
`--dist`, or no xdist) every test still gets a real grading: it is only done again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grader.pipeline import Grader
from grader.report import Report
from tests.challenge_overrides import fast_challenge


@dataclass(frozen=True)
class Graded:
    """A solution's grading as the pipeline returned it."""

    exit_code: int
    report: Report
    report_dir: Path

    def json(self) -> dict[str, Any]:
        """report.json as written (what a reader of the folder sees)."""
        return json.loads((self.report_dir / "report.json").read_text())  # type: ignore[no-any-return]


_GRADED: dict[tuple[Path, str], Graded] = {}


def graded_solution(challenge: Path, name: str, out: Path) -> Graded:
    """`challenge`/solutions/`name` graded with the suite's short timeouts (once per process);
    `out` is where the first test to ask writes the report folder."""
    key = (challenge, name)
    if key not in _GRADED:
        outcome = Grader(out_dir=out, challenge=fast_challenge(challenge)).grade(
            challenge / "solutions" / name)
        _GRADED[key] = Graded(outcome.exit_code, outcome.report, outcome.report_dir)
    return _GRADED[key]


def shared(challenge: Path | str, name: str) -> pytest.MarkDecorator:
    """The mark of every test that reads the grading of `challenge`'s solution `name`."""
    folder = challenge.name if isinstance(challenge, Path) else challenge
    return pytest.mark.xdist_group(f"{folder}/{name}")
