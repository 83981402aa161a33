"""Each bundled solution graded once per test run, for every test that reads it.

tests/integration/test_solutions.py grades every solution of every challenge and runs the
extra assertions of tests/integration/solution_extras.py on the same grading; a solution
compared with another (`same_http_as`), the hostile suite's clean carriers (references) and
the report's browser test take the report from here rather than grading it again.

Under pytest-xdist each worker is a process of its own, so a cache in memory would let two
workers grade the same solution (the hostile suite's carrier in one, test_solutions in
another). The cache is therefore a folder shared by the run's workers (pytest's base
temporary folder of the run, which xdist's workers' own folders sit in): the first worker to
ask takes the solution's lock (`fcntl.flock`), grades it into the folder and writes its exit
code; a worker asking meanwhile waits on the lock, then reads report.json back. A grading that
raised leaves nothing behind, so the next asker grades it again (and fails the same way).
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.pipeline import Grader
from grader.report import Report
from grader.report.model import load_report
from tests.challenge_overrides import fast_challenge

#: The folder shared by the run's workers, set by tests/integration/conftest.py's session
#: fixture (empty: no pytest run, and each grading goes to the `out` it is given).
SHARED_ROOT: list[Path] = []


@dataclass(frozen=True)
class Graded:
    """A solution's grading as the pipeline returned it (or as report.json reads back)."""

    exit_code: int
    report: Report
    report_dir: Path

    def json(self) -> dict[str, Any]:
        """report.json as written (what a reader of the folder sees)."""
        return json.loads((self.report_dir / "report.json").read_text())  # type: ignore[no-any-return]


_GRADED: dict[tuple[Path, str], Graded] = {}


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def graded_solution(challenge: Path, name: str, out: Path) -> Graded:
    """`challenge`/solutions/`name` graded with the suite's short timeouts, once per run;
    `out` is used only outside a pytest run (no shared folder)."""
    key = (challenge, name)
    if key in _GRADED:
        return _GRADED[key]
    if not SHARED_ROOT:
        _GRADED[key] = _grade(challenge, name, out)
        return _GRADED[key]
    folder = SHARED_ROOT[0] / "graded" / f"{challenge.name}--{name}"
    done = folder / "exit_code"
    with _locked(folder.parent / f"{folder.name}.lock"):
        if done.is_file():
            saved = json.loads(done.read_text())
            report_dir = Path(saved["report_dir"])
            _GRADED[key] = Graded(saved["exit_code"], load_report(report_dir / "report.json"),
                                  report_dir)
        else:
            graded = _grade(challenge, name, folder / "out")
            done.write_text(json.dumps({"exit_code": graded.exit_code,
                                        "report_dir": str(graded.report_dir)}))
            _GRADED[key] = graded
    return _GRADED[key]


def _grade(challenge: Path, name: str, out: Path) -> Graded:
    outcome = Grader(out_dir=out, challenge=fast_challenge(challenge)).grade(
        challenge / "solutions" / name)
    return Graded(outcome.exit_code, outcome.report, outcome.report_dir)
