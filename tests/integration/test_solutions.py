"""Every solution of every challenge, graded for real, lands in its declared score range and
trips the checks named in its solutions/expected.yaml. This is how we know the grader is right.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from grader.challenge import load_challenge
from grader.pipeline import Grader
from grader.report import Report
from tests.conftest import ROOT, TEST_CHALLENGE

CHALLENGES = [TEST_CHALLENGE, *sorted(p.parent for p in (ROOT / "challenges").glob(
    "*/challenge.yaml"))]
CASES = [(challenge, name) for challenge in CHALLENGES
         if (challenge / "solutions" / "expected.yaml").is_file()
         for name in yaml.safe_load((challenge / "solutions" / "expected.yaml").read_text())]
_graded: dict[tuple[Path, str], Report] = {}
SCHEMA = json.loads((ROOT / "grader" / "schemas" / "report.schema.json").read_text())


def grade(challenge: Path, name: str, out: Path) -> Report:
    key = (challenge, name)
    if key not in _graded:
        outcome = Grader(out_dir=out, challenge=load_challenge(challenge)).grade(
            challenge / "solutions" / name)
        assert outcome.exit_code == 0, outcome.report.checks
        assert (outcome.report_dir / "report.json").is_file()
        assert (outcome.report_dir / "report.md").is_file()
        jsonschema.validate(json.loads((outcome.report_dir / "report.json").read_text()),
                            SCHEMA)
        _graded[key] = outcome.report
    return _graded[key]


@pytest.mark.parametrize(("challenge", "name"), CASES,
                         ids=[f"{c.name}/{n}" for c, n in CASES])
def test_solution_scores_in_its_range(challenge: Path, name: str, tmp_path: Path,
                                      docker_client: object) -> None:
    expect = yaml.safe_load((challenge / "solutions" / "expected.yaml").read_text())[name]
    report = grade(challenge, name, tmp_path)
    assert report.status == "graded"
    low, high = expect["percent"]
    assert low <= report.total["percent"] <= high, (name, report.total)
    checks = {c["id"]: c for c in report.checks}
    for status, key in (("passed", "passes"), ("failed", "fails"), ("skipped", "skipped")):
        for check_id in expect.get(key, []):
            assert check_id in checks, f"{check_id} missing from the report"
            assert checks[check_id]["status"] == status, checks[check_id]
    for check_id, words in expect.get("messages", {}).items():
        assert words in checks[check_id]["message"], checks[check_id]
    if "same_http_as" in expect:
        other = grade(challenge, expect["same_http_as"], tmp_path)
        mine = {c["id"]: c["status"] for c in report.checks if c["id"].startswith("http.")}
        theirs = {c["id"]: c["status"] for c in other.checks if c["id"].startswith("http.")}
        assert mine == theirs
        assert report.total["points"] <= other.total["points"]
