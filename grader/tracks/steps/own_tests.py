"""The candidate's own tests, run in a container without network: pass rate from their JUnit
report, line coverage, and whether the submission tampers with test outcomes (then the
results, which come from the candidate's own process, are not trusted)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from grader.analysis.tampering import find_tampering, tampering_check
from grader.checks import CheckResult
from grader.sandbox.engine import RunSpec
from grader.tracks.base import GradingContext

#: The checks `own_tests` produces.
OWN_TEST_CHECKS = ("static.no-test-tampering", "tests.own.pass", "tests.own.coverage")
OWN_TESTS_SCRIPT = (
    "mkdir -p .grader && python -m coverage run --source=. -m pytest -q -p no:cacheprovider "
    "--junitxml=.grader/junit.xml; code=$?; "
    "python -m coverage json -q -o .grader/coverage.json >/dev/null 2>&1; exit $code")


def own_tests(ctx: GradingContext[Any], image: str, env: Mapping[str, str] | None = None,
              extra_files: Mapping[str, bytes] | None = None) -> list[CheckResult]:
    """tests.own.pass, tests.own.coverage and static.no-test-tampering."""
    sub = ctx.submission
    result = ctx.sandbox.run(RunSpec(
        image=image, command=["/bin/sh", "-c", OWN_TESTS_SCRIPT],
        limits=ctx.challenge.limits, name_hint="own-tests",
        files={**{rel: sub.root / rel for rel in sub.files}, **(extra_files or {})},
        env=dict(env or {}),
        collect={".grader/junit.xml": 2 * 1024 * 1024,
                 ".grader/coverage.json": 8 * 1024 * 1024}))
    title = "The candidate's own tests pass"
    counts = _junit_counts(result.files.get(".grader/junit.xml"))
    evidence = {"run": result.to_evidence(), "counts": counts}
    tampering = find_tampering(sub.root, sub.files)
    checks = [tampering_check(tampering)]
    test_files = [f for f in ctx.candidate_files if f.endswith(".py") and
                 (PurePosixPath(f).name.startswith("test_") or f.endswith("_test.py"))]
    if not test_files:
        checks.append(CheckResult.failed(
            "tests.own.pass", "no test file of the candidate's own (starter-kit tests are "
            "not counted)", title=title, evidence=evidence))
    elif tampering:
        checks.append(CheckResult.failed(
            "tests.own.pass", "results not trusted: the submission hooks into test "
            f"outcomes ({tampering[0]['file']}:{tampering[0]['line']})", title=title,
            evidence=evidence))
    elif counts is None or counts["tests"] == 0:
        checks.append(CheckResult.failed(
            "tests.own.pass", f"no tests ran ({result.explain()})", title=title,
            evidence=evidence))
    else:
        passed = counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
        share = max(0, passed) / counts["tests"]
        checks.append(CheckResult(
            id="tests.own.pass",
            status="passed" if share == 1 and result.outcome == "exited" else "failed",
            points=share, title=title,
            message=f"{passed} of {counts['tests']} test(s) passed (as reported by the "
                    "candidate's own test run)", evidence=evidence))
    coverage = _coverage_percent(result.files.get(".grader/coverage.json"))
    if not test_files:
        checks.append(CheckResult.failed("tests.own.coverage", "no tests of the candidate's "
                                         "own to measure",
                                         title="Line coverage of the candidate's tests"))
    elif coverage is None and (counts is None or counts["tests"] == 0):
        checks.append(CheckResult.not_run("tests.own.coverage", "no test ran to measure",
                                          blocked_by="tests.own.pass",
                                          title="Line coverage of the candidate's tests"))
    elif coverage is None:
        checks.append(CheckResult.failed("tests.own.coverage", "no coverage measured",
                                         title="Line coverage of the candidate's tests"))
    else:
        checks.append(CheckResult(
            id="tests.own.coverage", status="passed" if coverage >= 80 else "failed",
            points=min(1.0, coverage / 80), title="Line coverage of the candidate's tests",
            message=f"{coverage:.0f}% of lines covered (80% earns full credit)"))
    return checks


def _junit_counts(raw: bytes | None) -> dict[str, int] | None:
    """Totals from a JUnit XML file written by pytest in the candidate's container."""
    if not raw:
        return None
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError:
        return None
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        for key in totals:
            try:
                totals[key] += max(0, int(suite.get(key, "0")))
            except ValueError:
                return None
    return totals


def _coverage_percent(raw: bytes | None) -> float | None:
    if not raw:
        return None
    try:
        value = json.loads(raw)["totals"]["percent_covered"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    return float(value) if isinstance(value, int | float) and 0 <= value <= 100 else None
