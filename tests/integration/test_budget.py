"""A submission's grading stays within its challenge's budget (grading_seconds): a run is cut
to what is left, later runs do not start, and the report says so. No wall-clock assertion:
the outcome of each run shows what happened."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.challenge import load_challenge
from grader.pipeline import Grader
from tests.conftest import TEST_CHALLENGE

pytestmark = pytest.mark.docker


def test_a_submission_that_never_ends_is_cut_at_the_grading_budget(
        tmp_path: Path, docker_client: object) -> None:
    # 10 s: the four quick cases finish well inside it even on a loaded machine (at 4 s, three
    # gradings at once on two cores once left nothing for the large case to start with).
    challenge = load_challenge(TEST_CHALLENGE, {"grading_seconds": 10,
                                                "limits": {"timeout_seconds": 30}})
    outcome = Grader(tmp_path / "out", challenge=challenge, store=None).grade(
        TEST_CHALLENGE / "solutions" / "infinite-loop")
    assert outcome.exit_code == 0
    report = outcome.report
    checks = report.check_map
    large = checks["case.large"]  # the case that never ends: cut when the budget ran out
    assert large.evidence["run"]["outcome"] == "budget"
    assert large.status == "failed" and "grading budget" in large.message
    assert checks["case.basic"].status == "passed"  # what ran before the budget counts
    assert report.messages[0].level == "warning"
    assert "grading budget 10 s" in report.messages[0].text and "ran out" in \
        report.messages[0].text
