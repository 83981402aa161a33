"""Every solution of every challenge, graded for real, lands in its declared score range and
trips the checks named in its solutions/expected.yaml. This is how we know the grader is right.

Some solutions' reports are held to more than expected.yaml can say (the artifacts a report
keeps, per-run times): tests/integration/solution_extras.py, run here on the same grading.
Each grading is kept (tests/integration/graded.py) for a solution compared with it
(`same_http_as`) and for the hostile suite's clean carriers.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from grader.text import has_control
from grader.validate import check_report
from tests.challenge_overrides import fast_challenge
from tests.conftest import ROOT, TEST_CHALLENGE
from tests.integration.graded import Graded, graded_solution
from tests.integration.solution_extras import EXTRAS

CHALLENGES = [TEST_CHALLENGE, *sorted(p.parent for p in (ROOT / "challenges").glob(
    "*/challenge.yaml"))]
EXPECTED = {challenge: yaml.safe_load((challenge / "solutions" / "expected.yaml").read_text())
            for challenge in CHALLENGES if (challenge / "solutions" / "expected.yaml").is_file()}
CASES = [(challenge, name) for challenge, expected in EXPECTED.items() for name in expected]
SCHEMA = json.loads((ROOT / "grader" / "schemas" / "report.schema.json").read_text())


#: Seconds past grading_seconds for the clean-up after the run that was cut (kill, collect,
#: stop a service, remove everything).
TIME_MARGIN = 20.0


def challenge_grading_seconds(challenge: Path) -> float:
    return fast_challenge(challenge).grading_seconds


def grade(challenge: Path, name: str, out: Path) -> Graded:
    graded = graded_solution(challenge, name, out)
    assert graded.exit_code == 0, graded.report.checks
    assert (graded.report_dir / "report.json").is_file()
    assert (graded.report_dir / "report.md").is_file()
    jsonschema.validate(json.loads((graded.report_dir / "report.json").read_text()), SCHEMA)
    for file in ("report.json", "report.md", "report.html"):  # nothing garbles a reader
        text = (graded.report_dir / file).read_text(encoding="utf-8")
        assert not has_control(text), (file, [c for c in text if has_control(c)][:5])
    timings = graded.report.timings  # the grading budget holds (hostile solutions too)
    sandbox_seconds = timings["track"] - timings.get("challenge_images", 0.0)
    assert sandbox_seconds <= challenge_grading_seconds(challenge) + TIME_MARGIN, timings
    return graded


@pytest.mark.parametrize(("challenge", "name"), CASES,
                         ids=[f"{c.name}/{n}" for c, n in CASES])
def test_solution_scores_in_its_range(challenge: Path, name: str, tmp_path: Path,
                                      docker_client: object) -> None:
    """The same comparison `grader validate` makes (grader/validate.py), one solution each."""
    expect = EXPECTED[challenge][name]
    graded = grade(challenge, name, tmp_path)
    problems = check_report(graded.report, expect,
                            lambda other: grade(challenge, other, tmp_path).report,
                            fast_challenge(challenge))
    assert not problems, (name, graded.report.total, problems)
    more = EXTRAS.get((challenge.name, name))
    if more is not None:
        more(graded)


def test_every_extra_names_a_bundled_solution() -> None:
    """An extra registered for a solution that does not exist (a typo) would never run."""
    known = {(c.name, n) for c, n in CASES}
    assert set(EXTRAS) <= known, set(EXTRAS) - known
