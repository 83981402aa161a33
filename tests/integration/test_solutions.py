"""Every solution of every challenge, graded for real, lands in its declared score range and
trips the checks named in its solutions/expected.yaml. This is how we know the grader is right.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from grader.pipeline import Grader
from grader.report import Report
from grader.text import has_control
from grader.validate import check_report
from tests.challenge_overrides import fast_challenge
from tests.conftest import ROOT, TEST_CHALLENGE

CHALLENGES = [TEST_CHALLENGE, *sorted(p.parent for p in (ROOT / "challenges").glob(
    "*/challenge.yaml"))]
CASES = [(challenge, name) for challenge in CHALLENGES
         if (challenge / "solutions" / "expected.yaml").is_file()
         for name in yaml.safe_load((challenge / "solutions" / "expected.yaml").read_text())]
_graded: dict[tuple[Path, str], Report] = {}
SCHEMA = json.loads((ROOT / "grader" / "schemas" / "report.schema.json").read_text())


#: Seconds past grading_seconds for the clean-up after the run that was cut (kill, collect,
#: stop a service, remove everything).
TIME_MARGIN = 20.0


def challenge_grading_seconds(challenge: Path) -> float:
    return fast_challenge(challenge).grading_seconds


def grade(challenge: Path, name: str, out: Path) -> Report:
    key = (challenge, name)
    if key not in _graded:
        outcome = Grader(out_dir=out, challenge=fast_challenge(challenge)).grade(
            challenge / "solutions" / name)
        assert outcome.exit_code == 0, outcome.report.checks
        assert (outcome.report_dir / "report.json").is_file()
        assert (outcome.report_dir / "report.md").is_file()
        jsonschema.validate(json.loads((outcome.report_dir / "report.json").read_text()),
                            SCHEMA)
        for name in ("report.json", "report.md", "report.html"):  # nothing garbles a reader
            text = (outcome.report_dir / name).read_text(encoding="utf-8")
            assert not has_control(text), (name, [c for c in text if has_control(c)][:5])
        timings = outcome.report.timings  # the grading budget holds (hostile solutions too)
        sandbox_seconds = timings["track"] - timings.get("challenge_images", 0.0)
        assert sandbox_seconds <= challenge_grading_seconds(challenge) + TIME_MARGIN, timings
        _graded[key] = outcome.report
    return _graded[key]


@pytest.mark.parametrize(("challenge", "name"), CASES,
                         ids=[f"{c.name}/{n}" for c, n in CASES])
def test_solution_scores_in_its_range(challenge: Path, name: str, tmp_path: Path,
                                      docker_client: object) -> None:
    """The same comparison `grader validate` makes (grader/validate.py), one solution each."""
    expect = yaml.safe_load((challenge / "solutions" / "expected.yaml").read_text())[name]
    report = grade(challenge, name, tmp_path)
    problems = check_report(report, expect, lambda other: grade(challenge, other, tmp_path))
    assert not problems, (name, report.total, problems)
