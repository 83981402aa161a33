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

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.challenge import Challenge, Limits, track_config_error
from grader.checks import CheckResult
from grader.sandbox.engine import RunResult, RunSpec
from grader.tracks.base import GradingContext, Track

_EVIDENCE_CHARS = 2000


@dataclass(frozen=True)
class _Case:
    id: str
    title: str
    input: Path
    expected: Path
    points: float
    limits: dict[str, Any]



def _cases(challenge: Challenge) -> list[_Case]:
    raw = challenge.track_config.get("cases")
    if not isinstance(raw, list) or not raw:
        raise track_config_error(challenge, "cases", "a non-empty list of cases")
    cases = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise track_config_error(challenge, f"cases[{i}].id", "a case id (string)")
        paths = {}
        for key in ("input", "expected"):
            rel = item.get(key)
            path = (challenge.root / str(rel)).resolve() if isinstance(rel, str) else None
            if path is None or not path.is_file() or not path.is_relative_to(challenge.root):
                raise track_config_error(challenge, f"cases[{i}].{key}",
                                 "a file inside the challenge folder")
            paths[key] = path
        limits = item.get("limits", {})
        if not isinstance(limits, dict) or set(limits) - set(Limits.__dataclass_fields__):
            raise track_config_error(challenge, f"cases[{i}].limits", "a mapping of sandbox limits")
        cases.append(_Case(id=item["id"], title=str(item.get("title", item["id"])),
                           input=paths["input"], expected=paths["expected"],
                           points=float(item.get("points", 1)), limits=limits))
    return cases


class IoTrack(Track):
    name = "io"

    def validate(self, challenge: Challenge) -> None:
        cfg = challenge.track_config
        image = cfg.get("image", "runtime")
        if image not in challenge.images:
            raise track_config_error(challenge, "image",
                             f"one of the challenge images {list(challenge.images)}")
        if cfg.get("compare", "json") not in ("json", "text"):
            raise track_config_error(challenge, "compare", "json or text")
        _cases(challenge)

    def grade(self, ctx: GradingContext) -> list[CheckResult]:
        challenge = ctx.challenge
        self.validate(challenge)
        cfg = challenge.track_config
        spec = next(s for s in self.image_specs(challenge)
                    if s.name == f"{challenge.id}-{cfg.get('image', 'runtime')}")
        image = ctx.sandbox.ensure_image(spec)
        command = ctx.submission.manifest.commands.get(
            str(cfg.get("command", "run")), str(cfg.get("default_command", "python3 main.py")))
        input_file = str(cfg.get("input_file", "input.txt"))
        output_file = str(cfg.get("output_file", "output.json"))
        output_cap = int(cfg.get("output_max_kb", 64)) * 1024
        files: dict[str, bytes | Path] = {
            rel: ctx.submission.root / rel for rel in ctx.submission.files}

        checks = []
        for case in _cases(challenge):
            result = ctx.sandbox.run(RunSpec(
                image=image.tag, command=["/bin/sh", "-c", command],
                limits=challenge.limits.merged(**case.limits),
                files={**files, input_file: case.input.read_bytes()},
                collect={output_file: output_cap}, name_hint=f"case-{case.id}"))
            checks.append(self._judge(case, result, output_file,
                                      str(cfg.get("compare", "json"))))
        own = cfg.get("own_tests")
        if isinstance(own, dict):
            checks.append(self._own_tests(ctx, image.tag, files, own))
        return checks

    def _judge(self, case: _Case, result: RunResult, output_file: str,
               compare: str) -> CheckResult:
        check_id = f"case.{case.id}"
        evidence: dict[str, Any] = {"run": result.to_evidence(), "command_result":
                                    result.describe()}
        kw = {"title": case.title, "max_points": case.points, "evidence": evidence}
        if result.outcome != "exited":
            return CheckResult.failed(check_id, result.describe(), **kw)
        if output_file not in result.files:
            why = result.file_errors.get(output_file, "not written")
            return CheckResult.failed(
                check_id, f"{output_file} {why}; the program {result.describe()}", **kw)
        got_raw = result.files[output_file]
        expected_raw = case.expected.read_bytes()
        evidence["expected"] = expected_raw.decode("utf-8", "replace")[:_EVIDENCE_CHARS]
        evidence["got"] = got_raw.decode("utf-8", "replace")[:_EVIDENCE_CHARS]
        if compare == "json":
            try:
                got = json.loads(got_raw)
            except (ValueError, UnicodeDecodeError) as exc:
                return CheckResult.failed(check_id, f"{output_file} is not valid JSON: {exc}",
                                          **kw)
            same = got == json.loads(expected_raw)
        else:
            same = (got_raw.decode("utf-8", "replace").rstrip()
                    == expected_raw.decode("utf-8", "replace").rstrip())
        if same:
            return CheckResult.passed(check_id, "output matches", **kw)
        return CheckResult.failed(check_id, f"{output_file} differs from the expected output",
                                  **kw)

    def _own_tests(self, ctx: GradingContext, image: str, files: dict[str, bytes | Path],
                   own: dict[str, Any]) -> CheckResult:
        check_id = str(own.get("check", "tests.own"))
        command = ctx.submission.manifest.commands.get(str(own.get("command", "test")))
        if not command:
            return CheckResult.failed(check_id, "submission.yaml names no test command",
                                      title="Candidate's own tests")
        result = ctx.sandbox.run(RunSpec(image=image, command=["/bin/sh", "-c", command],
                                         limits=ctx.challenge.limits, files=files,
                                         name_hint="own-tests"))
        evidence = {"run": result.to_evidence()}
        if result.ok:
            return CheckResult.passed(check_id, "the candidate's tests pass",
                                      title="Candidate's own tests", evidence=evidence)
        return CheckResult.failed(check_id, f"the candidate's tests failed: {result.describe()}",
                                  title="Candidate's own tests", evidence=evidence)
