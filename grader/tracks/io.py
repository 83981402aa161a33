"""The `io` track: run the candidate's program on hidden inputs, compare outputs on the host.

The simplest complete track, used by the test challenge that exercises every stage of the
pipeline. Per case, the candidate's files plus the case's *input* go into a fresh hardened
container (no network); the program's output file is copied out after it stopped and compared
with the expected output on the host, which never enters the container. Optionally the
candidate's own test command runs in one more container.

track_config:
    image: runtime                  # which challenge image runs the code
    command: run                    # the submission.yaml command to run ...
    default_command: python3 main.py    # ... or this one when the manifest has none
    input_file: input.txt           # where each case's input is put in the work dir
    output_file: output.json        # what the program must write there
    output_max_kb: 64
    compare: json                   # json (parsed equality) or text (trailing space ignored)
    cases:                          # files relative to the challenge folder
      - {id: basic, title: ..., input: hidden/basic.txt, expected: hidden/basic.json,
         points: 1, limits: {timeout_seconds: 5}}
    own_tests: {command: test, check: tests.own}   # optional
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from grader.checks import CheckResult
from grader.sandbox.engine import RunResult, RunSpec
from grader.tracks.base import GradingContext, Track
from grader.typed import positive, spec

_EVIDENCE_CHARS = 2000
_POSITIVE = "a positive number"


@dataclass(frozen=True)
class CaseLimits:
    """Per-case overrides of the challenge's sandbox limits (unset: the challenge's)."""

    memory_mb: int | None = spec(None, check=positive, expected="a positive integer (MiB)")
    cpus: float | None = spec(None, check=positive, expected=_POSITIVE)
    pids: int | None = spec(None, check=positive, expected="a positive integer")
    timeout_seconds: float | None = spec(None, check=positive, expected=_POSITIVE)
    output_kb: int | None = spec(None, check=positive, expected="a positive integer (KiB)")
    tmpfs_mb: int | None = spec(None, check=positive, expected="a positive integer (MiB)")
    work_mb: int | None = spec(None, check=positive, expected="a positive integer (MiB)")


@dataclass(frozen=True)
class Case:
    """One hidden case: the input handed in, the output expected back."""

    id: str
    input: Path = spec(path="file", expected="a file inside the challenge folder")
    expected: Path = spec(path="file", expected="a file inside the challenge folder")
    title: str = ""
    points: float = spec(1.0, check=positive, expected=_POSITIVE)
    limits: CaseLimits = field(default_factory=CaseLimits)


@dataclass(frozen=True)
class OwnTests:
    command: str = spec("test", doc="the submission.yaml command that runs them")
    check: str = spec("tests.own", doc="the check id reported")


@dataclass(frozen=True)
class IoConfig:
    """How an io challenge runs the candidate's program and compares its output."""

    cases: list[Case] = spec(check=lambda v: len(v) > 0, expected="a non-empty list of cases")
    image: str = spec("runtime", doc="which challenge image runs the code")
    command: str = spec("run", doc="the submission.yaml command to run ...")
    default_command: str = spec("python3 main.py", doc="... or this when it has none")
    input_file: str = "input.txt"
    output_file: str = "output.json"
    output_max_kb: int = spec(64, check=positive, expected="a positive integer (KiB)")
    compare: Literal["json", "text"] = "json"
    own_tests: OwnTests | None = None


class IoTrack(Track[IoConfig]):
    name = "io"
    config_class = IoConfig

    def images(self, config: IoConfig) -> tuple[str, ...]:
        return (config.image,)

    def check_ids(self, config: IoConfig) -> Iterable[str]:
        return [*(f"case.{c.id}" for c in config.cases),
                *([config.own_tests.check] if config.own_tests else [])]

    def grade(self, ctx: GradingContext[IoConfig]) -> list[CheckResult]:
        cfg = ctx.config
        image = ctx.image(cfg.image)
        command = ctx.submission.manifest.commands.get(cfg.command, cfg.default_command)
        files: dict[str, bytes | Path] = {
            rel: ctx.submission.root / rel for rel in ctx.submission.files}
        checks = []
        for case in cfg.cases:
            overrides = {k: v for k, v in dataclasses.asdict(case.limits).items()
                         if v is not None}
            result = ctx.sandbox.run(RunSpec(
                image=image, command=["/bin/sh", "-c", command],
                limits=ctx.challenge.limits.merged(**overrides),
                files={**files, cfg.input_file: case.input.read_bytes()},
                collect={cfg.output_file: cfg.output_max_kb * 1024},
                name_hint=f"case-{case.id}"))
            checks.append(self._judge(case, result, cfg.output_file, cfg.compare))
        if cfg.own_tests is not None:
            checks.append(self._own_tests(ctx, image, files, cfg.own_tests))
        return checks

    def _judge(self, case: Case, result: RunResult, output_file: str,
               compare: str) -> CheckResult:
        check_id = f"case.{case.id}"
        evidence: dict[str, Any] = {"run": result.to_evidence(), "command_result":
                                    result.describe()}
        title = case.title or case.id

        def failed(message: str) -> CheckResult:
            return CheckResult.failed(check_id, message, title=title, max_points=case.points,
                                      evidence=evidence)

        if result.outcome == "budget" and result.seconds == 0:
            return CheckResult.not_run(check_id, "the challenge's grading budget was spent "
                                       "before this case could run", title=title,
                                       max_points=case.points, evidence=evidence)
        if result.outcome != "exited":
            return failed(result.describe())
        if output_file not in result.files:
            why = result.file_errors.get(output_file, "not written")
            what = why if why.startswith(output_file) else f"{output_file} {why}"
            return failed(f"{what}; the program {result.explain()}")
        got_raw = result.files[output_file]
        expected_raw = case.expected.read_bytes()
        evidence["expected"] = expected_raw.decode("utf-8", "replace")[:_EVIDENCE_CHARS]
        evidence["got"] = got_raw.decode("utf-8", "replace")[:_EVIDENCE_CHARS]
        if compare == "json":
            try:
                got = json.loads(got_raw)
            except (ValueError, UnicodeDecodeError) as exc:
                return failed(f"{output_file} is not valid JSON: {exc}")
            except RecursionError:
                return failed(f"{output_file} nests deeper than a JSON reader can follow")
            same = got == json.loads(expected_raw)
        else:
            same = (got_raw.decode("utf-8", "replace").rstrip()
                    == expected_raw.decode("utf-8", "replace").rstrip())
        if same:
            return CheckResult.passed(check_id, "output matches", title=title,
                                      max_points=case.points, evidence=evidence)
        return failed(f"{output_file} differs from the expected output")

    def _own_tests(self, ctx: GradingContext[IoConfig], image: str,
                   files: dict[str, bytes | Path], own: OwnTests) -> CheckResult:
        check_id = own.check
        command = ctx.submission.manifest.commands.get(own.command)
        if not command:
            return CheckResult.failed(check_id, "submission.yaml names no test command",
                                      title="Candidate's own tests")
        result = ctx.sandbox.run(RunSpec(image=image, command=["/bin/sh", "-c", command],
                                         limits=ctx.challenge.limits, files=files,
                                         name_hint="own-tests"))
        evidence = {"run": result.to_evidence()}
        if result.outcome == "budget" and result.seconds == 0:
            return CheckResult.not_run(check_id, "the challenge's grading budget was spent "
                                       "before the tests could run",
                                       title="Candidate's own tests", evidence=evidence)
        if result.ok:
            return CheckResult.passed(check_id, "the candidate's tests pass",
                                      title="Candidate's own tests", evidence=evidence)
        return CheckResult.failed(check_id, f"the candidate's tests failed: {result.explain()}",
                                  title="Candidate's own tests", evidence=evidence)
