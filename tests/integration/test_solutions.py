"""Every solution of the test challenge, graded for real, lands in its declared score range and
trips the checks named in solutions/expected.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grader.challenge import load_challenge
from grader.pipeline import Grader
from tests.conftest import TEST_CHALLENGE

EXPECTED = yaml.safe_load((TEST_CHALLENGE / "solutions" / "expected.yaml").read_text())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_solution_scores_in_its_range(name: str, tmp_path: Path, docker_client: object) -> None:
    expect = EXPECTED[name]
    grader = Grader(out_dir=tmp_path, challenge=load_challenge(TEST_CHALLENGE))
    outcome = grader.grade(TEST_CHALLENGE / "solutions" / name)

    report = outcome.report
    assert outcome.exit_code == 0
    assert report.status == "graded"
    low, high = expect["percent"]
    assert low <= report.total["percent"] <= high, (name, report.total)
    checks = {c["id"]: c for c in report.checks}
    for check_id in expect.get("passes", []):
        assert checks[check_id]["status"] == "passed", checks[check_id]
    for check_id in expect.get("fails", []):
        assert checks[check_id]["status"] == "failed", checks[check_id]
    for check_id, words in expect.get("messages", {}).items():
        assert words in checks[check_id]["message"], checks[check_id]
    assert (outcome.report_dir / "report.json").is_file()
    assert (outcome.report_dir / "report.md").is_file()
