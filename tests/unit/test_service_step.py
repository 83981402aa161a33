"""The shared serving step (grader/tracks/steps/service.py) with a fake engine: the server's
container is sampled as each client run ends, and one seen at its process limit gets a failed
`runtime.process-limit` that names when, and the failed checks of that run say so. The real
engine's sample (Docker's pids count) is exercised by the hostile fork-bomb case."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.challenge import load_challenge
from grader.checks import CheckResult
from grader.intake.submission import Manifest, Submission
from grader.review import build_review
from grader.sandbox.engine import Network, RunResult, RunSpec
from grader.sandbox.engine import Service as EngineService
from grader.sandbox.limits import Limits
from grader.tracks.base import GradingContext
from grader.tracks.steps.service import PROCESS_LIMIT_CHECK, Service
from tests.conftest import ROOT
from tests.fakes import FakeService, OneShotSandbox, run_result

BACKEND = ROOT / "challenges" / "backend"


@dataclass
class ServingBox(OneShotSandbox):
    server: FakeService = field(default_factory=FakeService)
    budget_spent: bool = False

    def run(self, spec: RunSpec) -> RunResult:
        return run_result(outcome="budget", seconds=0.0) if self.budget_spent else run_result()

    def start(self, spec: RunSpec) -> EngineService:
        return self.server

    def internal_network(self, name_hint: str = "net") -> Network:
        return Network(name="n", id="n")


def _ctx(tmp_path: Path, box: ServingBox) -> GradingContext[object]:
    sub = Submission(id="t-1", source=tmp_path, root=tmp_path,
                     manifest=Manifest(challenge="backend", candidate="T"), sha256="0" * 64,
                     files=(), total_bytes=0, ignored=())
    return GradingContext(submission=sub, challenge=load_challenge(BACKEND), sandbox=box,
                          artifacts_dir=tmp_path / "artifacts")


def _serve(tmp_path: Path, box: ServingBox) -> Service:
    return Service(_ctx(tmp_path, box), image="img", command="serve", port=8000, files={},
                   env={})


def _spec() -> RunSpec:
    return RunSpec(image="tester", command=["t"], limits=Limits(), name_hint="tester-main")


def _suite() -> list[CheckResult]:
    return [CheckResult.passed("http.contract.health", "passed"),
            CheckResult.failed("http.contract.register", "POST /auth/register -> 500")]


REGISTER_500 = ("POST /auth/register -> 500: assert 500 == 201\n"
                " +  where 500 = <Response [500]>.status_code")


def test_a_server_at_its_process_limit_is_named_with_when(tmp_path: Path) -> None:
    box = ServingBox(FakeService(counts=[256]))
    with _serve(tmp_path, box) as service:
        service.client(_spec(), what="the hidden tests")
        health, register = service.note_crowded(_suite())
    [check] = service.process_limit_checks()
    assert check.id == PROCESS_LIMIT_CHECK
    assert check.status == "failed" and check.max_points == 0
    assert "(256 of 256 processes and threads) when the hidden tests ended" in check.message
    assert check.evidence == {"processes": 256, "limit": 256, "seen": "when the hidden tests "
                                                                      "ended"}
    assert health.message == "passed"                       # a passed check is left alone
    assert register.message == ("POST /auth/register -> 500 (the server's container was at "
                                "its process limit when the hidden tests ended: "
                                "runtime.process-limit)")


def test_a_server_below_its_limit_gets_no_check_and_no_note(tmp_path: Path) -> None:
    box = ServingBox(FakeService(counts=[12, 255]))
    with _serve(tmp_path, box) as service:
        service.client(_spec(), what="the hidden tests")
        suite = service.note_crowded(_suite())
    assert service.process_limit_checks() == []
    assert [c.message for c in suite] == ["passed", "POST /auth/register -> 500"]
    assert box.server.samples == 2                  # after the run, and before the stop


def test_an_engine_that_cannot_count_claims_nothing(tmp_path: Path) -> None:
    box = ServingBox(FakeService(counts=[None]))
    with _serve(tmp_path, box) as service:
        service.client(_spec(), what="the hidden tests")
        assert service.note_crowded(_suite())[1].message == "POST /auth/register -> 500"
    assert service.process_limit_checks() == []


def test_only_the_run_that_ended_at_the_limit_gets_the_note(tmp_path: Path) -> None:
    """At the limit after the main suite, below it after the restart (a restart ends every
    process): the check keeps the first sighting, the later run's failures are left alone."""
    box = ServingBox(FakeService(counts=[256, 4, 4]))
    with _serve(tmp_path, box) as service:
        service.client(_spec(), what="the hidden tests")
        assert "process limit" in service.note_crowded(_suite())[1].message
        service.client(_spec(), what="the tests after the restart")
        assert "process limit" not in service.note_crowded(_suite())[1].message
    [check] = service.process_limit_checks()
    assert "when the hidden tests ended" in check.message


def test_a_run_the_budget_never_started_is_not_sampled(tmp_path: Path) -> None:
    box = ServingBox(FakeService(counts=[256]), budget_spent=True)
    with _serve(tmp_path, box) as service:
        service.client(_spec(), what="the hidden tests")
        assert box.server.samples == 0
    [check] = service.process_limit_checks()  # the sample before the stop still sees it
    assert "when the server was stopped" in check.message


def test_the_reviewer_is_told_first(tmp_path: Path) -> None:
    """The red flag, and the sheet's first question is about the process limit, not about
    the 500 it caused."""
    box = ServingBox(FakeService(counts=[256]))
    with _serve(tmp_path, box) as service:
        service.client(_spec(), what="the hidden tests")
        suite = service.note_crowded(_suite())
    [check] = service.process_limit_checks()
    review = build_review(BACKEND, tmp_path, [], [*suite, check])
    flags = {f.id: f for f in review.flags}
    assert flags["process-limit"].kind == "red"
    assert review.questions[0].id == "process-limit"
    assert review.questions[0].text.startswith("The server's container was at its process "
                                               "limit (256 of 256")


def test_the_note_stays_when_pytest_introspection_is_cut(tmp_path: Path) -> None:
    """The note goes at the end of the message's first line, which the sheet keeps."""
    box = ServingBox(FakeService(counts=[256]))
    with _serve(tmp_path, box) as service:
        service.client(_spec(), what="the hidden tests")
        register = service.note_crowded([CheckResult.failed("http.contract.register",
                                                            REGISTER_500)])[0]
    assert register.message.splitlines()[1] == " +  where 500 = <Response [500]>.status_code"
    review = build_review(BACKEND, tmp_path, [], [register])
    contract = next(q for q in review.questions if q.id == "failed-contract")
    assert ("POST /auth/register -> 500: assert 500 == 201 (the server's container was at its "
            "process limit when the hidden tests ended") in contract.text
