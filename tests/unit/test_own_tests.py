"""The candidate's own tests (grader/tracks/steps/own_tests.py): how a run that reported no
test is judged, by who stopped it; what tests whose subject is mocked away are worth."""

from __future__ import annotations

from pathlib import Path

from grader.challenge import load_challenge
from grader.intake.submission import Manifest, Submission
from grader.sandbox.engine import RunResult, RunSpec
from grader.tracks.base import GradingContext
from grader.tracks.steps import own_tests
from tests.conftest import ROOT
from tests.fakes import OneShotSandbox, run_result

BACKEND = ROOT / "challenges" / "backend"

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


def test_tests_whose_data_layer_is_mocked_earn_nothing_and_the_suite_is_judged_on_the_share(
        tmp_path: Path) -> None:
    """Two of five tests run on a mocked repository: the check passes (fewer than half), but
    those two earn nothing in tests.own.meaningful, tests.own.pass and the coverage."""
    files = {"app/__init__.py": "", "app/crud.py": "def list_notes():\n    return []\n",
             "tests/test_real.py": "".join(
                 f"def test_real_{i}(client):\n    assert client.get('/notes')\n"
                 for i in range(3)),
             "tests/test_mocked.py": (
                 "from unittest.mock import patch\n\n"
                 "@patch('app.crud.list_notes', return_value=[])\n"
                 "def test_empty(crud, client):\n    assert client.get('/notes').json() == []\n\n"
                 "@patch('app.crud.list_notes', return_value=[1])\n"
                 "def test_one(crud, client):\n    assert client.get('/notes').json() == [1]\n")}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    cases = "".join(f'<testcase classname="tests.{m}" name="{n}"/>' for m, n in (
        ("test_real", "test_real_0"), ("test_real", "test_real_1"), ("test_real", "test_real_2"),
        ("test_mocked", "test_empty"), ("test_mocked", "test_one")))
    junit = f"<testsuites><testsuite>{cases}</testsuite></testsuites>".encode()
    coverage = b'{"totals": {"percent_covered": 90.0}}'

    class Box(OneShotSandbox):
        def run(self, spec: RunSpec) -> RunResult:
            return run_result({".grader/junit.xml": junit, ".grader/coverage.json": coverage})

    sub = Submission(id="t-1", source=tmp_path, root=tmp_path,
                     manifest=Manifest(challenge="backend", candidate="T"), sha256="0" * 64,
                     files=tuple(sorted(files)), total_bytes=0, ignored=())
    ctx = GradingContext(submission=sub, challenge=load_challenge(BACKEND), sandbox=Box(),
                         artifacts_dir=tmp_path / "artifacts")
    checks = {c.id: c for c in own_tests.own_tests(ctx, "img")}
    meaningful = checks["tests.own.meaningful"]
    assert meaningful.status == "passed" and meaningful.points == 0.6
    assert meaningful.message == (
        "every test asserts something, but 2 test(s) replace what they test with mocks: 1 runs "
        "against a mocked data layer (app.crud.list_notes -> a MagicMock (patch's default) at "
        "tests/test_mocked.py:3): test_empty at tests/test_mocked.py:4; 1 runs against a mocked "
        "data layer (app.crud.list_notes -> a MagicMock (patch's default) at "
        "tests/test_mocked.py:7): test_one at tests/test_mocked.py:8 and earn nothing")
    assert checks["tests.own.pass"].points == 0.6
    assert checks["tests.own.pass"].message.startswith(
        "5 of 5 test(s) passed; 2 of them cannot catch a bug")
    assert checks["tests.own.coverage"].points == 0.6
