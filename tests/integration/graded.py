"""Each bundled solution graded once per test process, for every test that reads it.

tests/integration/test_solutions.py grades every solution of every challenge and runs the
extra assertions of tests/integration/solution_extras.py on the same grading; a solution
compared with another (`same_http_as`) and the hostile suite's clean carriers (references)
take the report from here rather than grading it again. Under pytest-xdist each worker is its
own process with its own cache, so a worker grades a shared solution at most once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
