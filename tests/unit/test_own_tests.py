"""The candidate's own tests (grader/tracks/steps/own_tests.py): how a run that reported no
test is judged, by who stopped it."""

from __future__ import annotations

from grader.tracks.steps import own_tests
from tests.fakes import run_result

TEST_FILES = ["tests/test_api.py"]


def test_own_tests_cut_at_the_budget_before_reporting_are_not_run() -> None:
    """grader cut the run (the budget's end) before any test reported: nothing was judged, so
    not run (0 points either way), saying so."""
    cut = own_tests._pass_check("pytest", ["pytest"], run_result(outcome="budget", seconds=7.0),
                                None, TEST_FILES, [], set())
    assert cut.status == "not_run"
    assert cut.message == ("not run: no test reported before the run was stopped after 7.0 s: "
                           "the challenge's grading budget (grading_seconds) ran out")


def test_own_tests_that_hang_past_their_timeout_fail() -> None:
    """Their own timeout is the candidate's doing: failed, saying so."""
    hung = own_tests._pass_check("pytest", ["pytest"], run_result(outcome="timeout"), None,
                                 TEST_FILES, [], set())
    assert hung.status == "failed"
    assert hung.message.startswith("no tests ran (timed out: killed after")
