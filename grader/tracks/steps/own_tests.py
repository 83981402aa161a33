"""The candidate's own tests, run in a container without network: which of them pass, how
much of their code they cover, whether they can fail at all, and whether the submission
tampers with test outcomes (then the results, which come from the candidate's own process,
are not trusted).

What runs is `commands.test` from submission.yaml: a pytest command (the default when there is
none) runs pytest with its arguments; `python manage.py test` or `python -m unittest` runs
unittest (Django's test runner included) with each outcome recorded; anything else runs as a
plain command whose exit code is all that is known. The first two run through grader's runner
(own_tests_runner.py) under grader's coverage settings.

Own-test credit is the share of tests that passed *and* can fail (tests.own.meaningful lists
the hollow ones: no assertion, assertions swallowed, skipped where graded, the data layer or
the app they call replaced by mocks).
"""

from __future__ import annotations

import json
import re
import shlex
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from grader.analysis.tampering import find_tampering, tampering_check
from grader.analysis.test_quality import (
    hollow_tests,
    is_test_module,
    meaningful_check,
    pytest_file_patterns,
)
from grader.candidate_json import json_or_none
from grader.checks import CheckResult
from grader.sandbox.engine import RunResult, RunSpec
from grader.tracks.base import GradingContext

#: The checks `own_tests` produces.
OWN_TEST_CHECKS = ("static.no-test-tampering", "tests.own.pass", "tests.own.coverage",
                   "tests.own.meaningful")
RUNNER = Path(__file__).with_name("own_tests_runner.py")
RUNNER_IN_BOX = ".grader/own_tests.py"
_PYTEST = re.compile(r"^(?:python3?\s+-m\s+)?(?:py\.test|pytest)\b(?P<args>.*)$")
_MANAGE = re.compile(r"^python3?\s+(?P<script>\S*manage\.py)\s+test\b(?P<args>.*)$")
_UNITTEST = re.compile(r"^python3?\s+-m\s+unittest\b(?P<args>.*)$")
_OURS = ("--junitxml", "--junit-xml", "-p", "--cov")
PASS_TITLE = "The candidate's own tests pass"
COVERAGE_TITLE = "Line coverage of the candidate's tests"


def test_command(command: str | None) -> tuple[str, list[str]]:
    """How to run `commands.test`: ("pytest", args), ("unittest", [script, args...]) or
    ("shell", [command])."""
    text = (command or "python -m pytest").strip()
    if match := _PYTEST.match(text):
        args = _split(match["args"])
        return "pytest", [a for a in args if not a.startswith(_OURS)]
    if match := _MANAGE.match(text):
        return "unittest", [match["script"], "test", *_split(match["args"])]
    if match := _UNITTEST.match(text):
        return "unittest", ["-m", "unittest", *_split(match["args"])]
    return "shell", [text]


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def own_tests(ctx: GradingContext[Any], image: str, env: Mapping[str, str] | None = None,
              extra_files: Mapping[str, bytes] | None = None) -> list[CheckResult]:
    """static.no-test-tampering, tests.own.pass, tests.own.coverage, tests.own.meaningful."""
    sub = ctx.submission
    mode, args = test_command(sub.manifest.commands.get("test"))
    command = (["/bin/sh", "-c", args[0]] if mode == "shell"
               else ["python", "-P", RUNNER_IN_BOX, mode, *args])
    result = ctx.sandbox.run(RunSpec(
        image=image, command=command, limits=ctx.challenge.limits, name_hint="own-tests",
        files={**{rel: sub.root / rel for rel in sub.files}, **(extra_files or {}),
               RUNNER_IN_BOX: RUNNER},
        env=dict(env or {}),
        collect={".grader/junit.xml": 2 * 1024 * 1024, ".grader/unittest.json": 2 * 1024 * 1024,
                 ".grader/coverage.json": 8 * 1024 * 1024}))
    outcomes = (_junit_outcomes(result.files.get(".grader/junit.xml")) if mode == "pytest"
                else _unittest_outcomes(result.files.get(".grader/unittest.json")))
    tampering = find_tampering(sub.root, sub.files)
    own = ctx.candidate_files
    patterns = pytest_file_patterns(sub.root, sub.files)
    test_files = [f for f in own if is_test_module(f, patterns)]
    hollow = {(str(h["file"]), str(h["test"])) for h in hollow_tests(sub.root, own)}
    # The share of the tests that ran and can fail: what the coverage and the meaningfulness
    # credit are worth (coverage earned by tests that assert nothing is not earned).
    real = (sum(not _is_hollow((f, n), hollow) for f, n, _ in outcomes) / len(outcomes)
            if outcomes else (0.0 if hollow else 1.0))
    meaningful = meaningful_check(sub.root, own, share=real if outcomes else None)
    if meaningful.status == "failed" or meaningful.evidence.get("mocked"):
        gaming = meaningful.evidence.get("coverage_settings") or any(
            h.get("why") == "skipped in the grading environment"
            for h in meaningful.evidence.get("hollow", []) if isinstance(h, dict))
        meaningful.points = 0.0 if gaming else real * meaningful.max_points
    checks = [tampering_check(tampering), meaningful]
    if result.never_ran:
        why = "the challenge's grading budget was spent before the tests could run"
        return [*checks, CheckResult.not_run("tests.own.pass", why, title=PASS_TITLE),
                CheckResult.not_run("tests.own.coverage", why, title=COVERAGE_TITLE)]
    checks.append(_pass_check(mode, args, result, outcomes, test_files, tampering, hollow))
    checks.append(_coverage_check(mode, result, outcomes, test_files, real))
    return checks


def _pass_check(mode: str, args: list[str], result: RunResult,
                outcomes: list[tuple[str, str, str]] | None, test_files: list[str],
                tampering: list[dict[str, object]], hollow: set[tuple[str, str]]) -> CheckResult:
    evidence: dict[str, Any] = {"run": result.to_evidence(), "mode": mode}
    if not test_files:
        return CheckResult.failed("tests.own.pass", "no test file of the candidate's own "
                                  "(starter-kit tests are not counted)", title=PASS_TITLE,
                                  evidence=evidence)
    if tampering:
        found = "; ".join(f"{t['file']}:{t['line']} {t['what']}" for t in tampering[:3])
        more = f" (and {len(tampering) - 3} more)" if len(tampering) > 3 else ""
        return CheckResult.failed(
            "tests.own.pass", "results not trusted: the submission can change what its tests "
            f"report: {found}{more}", title=PASS_TITLE, evidence=evidence)
    if result.outcome == "budget" and not outcomes:  # grader's cut: nothing was judged
        return CheckResult.not_run("tests.own.pass", "no test reported before the run was "
                                   f"{result.describe()}", title=PASS_TITLE, evidence=evidence)
    if mode == "shell":
        ok = result.ok
        return CheckResult(id="tests.own.pass", status="passed" if ok else "failed",
                           points=1.0 if ok else 0.0, title=PASS_TITLE, evidence=evidence,
                           message=f"`{args[0]}` {result.explain()} (a command grader does not "
                                   "read test by test: only its exit code counts)")
    if not outcomes:
        return CheckResult.failed("tests.own.pass", f"no tests ran ({result.explain()})",
                                  title=PASS_TITLE, evidence=evidence)
    passed = [(f, n) for f, n, outcome in outcomes if outcome == "passed"]
    counted = [t for t in passed if not _is_hollow(t, hollow)]
    share = len(counted) / len(outcomes)
    evidence["counts"] = {"tests": len(outcomes), "passed": len(passed),
                          "hollow_passed": len(passed) - len(counted)}
    message = f"{len(passed)} of {len(outcomes)} test(s) passed"
    if len(counted) < len(passed):
        message += (f"; {len(passed) - len(counted)} of them cannot catch a bug (see "
                    "tests.own.meaningful) and earn nothing")
    ok = len(counted) == len(outcomes) and result.outcome == "exited"
    return CheckResult(id="tests.own.pass", status="passed" if ok else "failed", points=share,
                       title=PASS_TITLE, evidence=evidence,
                       message=message + " (as reported by the candidate's own test run)")


def _is_hollow(test: tuple[str, str], hollow: set[tuple[str, str]]) -> bool:
    """Whether a test reported as (file-ish, name) is one of the hollow (file, function)."""
    where, name = test
    base = name.split("[")[0].split(".")[-1]
    return any(base == function and (not where or _same_module(where, file))
               for file, function in hollow)


def _same_module(reported: str, file: str) -> bool:
    module = file.removesuffix(".py").replace("/", ".")
    return reported == module or reported.endswith("." + module) or module.endswith(
        "." + reported) or reported.startswith(module + ".")


def _coverage_check(mode: str, result: RunResult, outcomes: list[tuple[str, str, str]] | None,
                    test_files: list[str], real: float = 1.0) -> CheckResult:
    if not test_files:
        return CheckResult.failed("tests.own.coverage", "no tests of the candidate's own to "
                                  "measure", title=COVERAGE_TITLE)
    if mode == "shell":
        return CheckResult.not_run("tests.own.coverage", "the test command is neither pytest "
                                   "nor unittest: coverage is not measured",
                                   title=COVERAGE_TITLE)
    coverage = _coverage_percent(result.files.get(".grader/coverage.json"))
    if coverage is None and not outcomes:
        return CheckResult.not_run("tests.own.coverage", "no test ran to measure",
                                   blocked_by="tests.own.pass", title=COVERAGE_TITLE)
    if coverage is None:
        return CheckResult.failed("tests.own.coverage", "no coverage measured",
                                  title=COVERAGE_TITLE)
    points = min(1.0, coverage / 80) * real
    message = (f"{coverage:.0f}% of the lines of the candidate's code covered, test files "
               "left out (80% earns full credit)")
    if real < 1:
        message += (f"; only {real:.0%} of the tests can catch a bug (see "
                    "tests.own.meaningful), so only that share of the coverage counts")
    return CheckResult(
        id="tests.own.coverage", status="passed" if points >= 1 else "failed",
        points=points, title=COVERAGE_TITLE, message=message)


def _junit_outcomes(raw: bytes | None) -> list[tuple[str, str, str]] | None:
    """(classname, test name, passed|failed|error|skipped) per test of a JUnit XML report."""
    if not raw or len(raw) > 2 * 1024 * 1024:
        return None
    try:
        root = ElementTree.fromstring(raw)
    except (ElementTree.ParseError, RecursionError):
        return None
    out = []
    for case in root.iter("testcase"):
        kinds = {child.tag for child in case}
        outcome = ("failed" if "failure" in kinds else "error" if "error" in kinds
                   else "skipped" if "skipped" in kinds else "passed")
        out.append((case.get("classname", ""), case.get("name", ""), outcome))
    return out[:5000]


def _unittest_outcomes(raw: bytes | None) -> list[tuple[str, str, str]] | None:
    data = json_or_none(raw)
    tests = data.get("tests") if isinstance(data, dict) else None
    if not isinstance(tests, list):
        return None
    out = []
    for test in tests[:5000]:
        if isinstance(test, dict) and isinstance(test.get("id"), str) and test.get(
                "outcome") in ("passed", "failed", "error", "skipped"):
            module, _, name = test["id"].rpartition(".")
            out.append((module, name, str(test["outcome"])))
    return out


def _coverage_percent(raw: bytes | None) -> float | None:
    if not raw:
        return None
    try:
        value = json.loads(raw)["totals"]["percent_covered"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
        return None
    return float(value) if isinstance(value, int | float) and 0 <= value <= 100 else None
