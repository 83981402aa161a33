"""The io track's judging logic against a fake sandbox (the real one is in integration)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.challenge import load_challenge
from grader.intake import Manifest, Submission
from grader.registry import get_track
from grader.sandbox.capture import CapturedOutput
from grader.sandbox.engine import RunResult, RunSpec
from grader.sandbox.limits import Limits
from grader.tracks.base import GradingContext
from tests.conftest import TEST_CHALLENGE
from tests.fakes import OneShotSandbox


def _result(outcome: str = "exited", code: int | None = 0,
            files: dict[str, bytes] | None = None) -> RunResult:
    empty = CapturedOutput(b"", b"", 0)
    return RunResult(outcome=outcome, exit_code=code, seconds=0.1,  # type: ignore[arg-type]
                     stdout=empty, stderr=empty, limits=Limits(memory_mb=128,
                                                               timeout_seconds=10),
                     files=files or {})


@dataclass
class FakeSandbox(OneShotSandbox):
    """Answers each case from a table keyed by the input it was given."""

    answers: dict[bytes, RunResult]
    runs: list[RunSpec] = field(default_factory=list)

    def run(self, spec: RunSpec) -> RunResult:
        self.runs.append(spec)
        given = spec.files.get("input.txt")
        if given is None:  # the own-tests run
            return _result()
        assert isinstance(given, bytes)
        return self.answers.get(given, _result(files={"output.json": b"{}"}))


def _grade(tmp_path: Path, answers: dict[bytes, RunResult]) -> tuple[dict, FakeSandbox]:
    challenge = load_challenge(TEST_CHALLENGE)
    (tmp_path / "wordfreq.py").write_text("print()\n")
    submission = Submission(
        id="t-1", source=tmp_path, root=tmp_path,
        manifest=Manifest(challenge="wordfreq", candidate="T",
                          commands={"run": "python wordfreq.py", "test": "pytest"}),
        sha256="0" * 64, files=("wordfreq.py",), total_bytes=8, ignored=())
    box = FakeSandbox(answers)
    ctx = GradingContext(submission=submission, challenge=challenge, sandbox=box,
                         artifacts_dir=tmp_path / "artifacts")
    checks = get_track("io").grade(ctx)
    return {c.id: c for c in checks}, box


def hidden(name: str) -> bytes:
    return (TEST_CHALLENGE / "hidden" / name).read_bytes()


def test_outputs_are_compared_on_the_host_and_expected_never_goes_in(tmp_path: Path) -> None:
    checks, box = _grade(tmp_path, {
        hidden("basic.txt"): _result(files={"output.json": hidden("basic.json")}),
        hidden("ties.txt"): _result(files={"output.json": b'{"total_words": 7, "top": []}'}),
        hidden("punct.txt"): _result(files={"output.json": b"not json"}),
        hidden("empty.txt"): _result("timeout", None),
        hidden("large.txt"): _result("oom", 137),
    })
    assert checks["case.basic"].status == "passed"
    assert checks["case.ties"].status == "failed"
    assert "differs" in checks["case.ties"].message
    assert "not valid JSON" in checks["case.case-and-punctuation"].message
    assert "timed out" in checks["case.empty"].message
    assert "memory limit exceeded" in checks["case.large"].message
    assert checks["case.large"].max_points == 2
    assert checks["tests.own"].status == "passed"
    # Rule 5: no expected output ever entered a container.
    expected = {p.read_bytes() for p in (TEST_CHALLENGE / "hidden").glob("*.json")}
    for spec in box.runs:
        for content in spec.files.values():
            if isinstance(content, bytes) and content:
                assert content not in expected


def test_missing_output_file_fails_with_the_reason(tmp_path: Path) -> None:
    checks, _ = _grade(tmp_path, {hidden("basic.txt"): _result(code=1, files={})})
    assert checks["case.basic"].status == "failed"
    assert "output.json not written" in checks["case.basic"].message
    assert "exited with code 1" in checks["case.basic"].message
