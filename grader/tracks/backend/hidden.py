"""The hidden HTTP suite: the tester container's runs (grader's runner + the challenge's
hidden tests, never in the server's container) and their results read back as checks, each
failure with its last HTTP exchange and the handler (file:line) that served it."""

from __future__ import annotations

import threading
from pathlib import Path, PurePosixPath
from typing import Any

from grader.analysis.routes import Route, handler_for
from grader.candidate_json import json_or_none
from grader.checks import CheckResult
from grader.errors import ChallengeConfigError
from grader.sandbox.engine import RunResult, RunSpec
from grader.text import assertion_words
from grader.tracks.backend.config import BackendConfig
from grader.tracks.backend.tester import DISCLOSURE, PLUGIN, RUNNER
from grader.tracks.base import GradingContext

RESULTS_CAP = 4 * 1024 * 1024
SMALL_CAP = 64 * 1024
_LISTED: dict[tuple[str, str], list[dict[str, Any]]] = {}
_LISTED_LOCK = threading.Lock()


def check_id(nodeid: str) -> str:
    """hidden/test_auth.py::test_wrong_password_is_401[x] -> http.auth.wrong_password_is_401[x]"""
    file, _, name = nodeid.partition("::")
    module = PurePosixPath(file).stem.removeprefix("test_")
    return f"http.{module}.{name.removeprefix('test_')}"


#: Seconds kept back from the grading budget when the suite is told how long it has: the
#: tester stops, writes its results and the host collects them before the budget is out.
BUDGET_RESERVE_SECONDS = 10.0


def tester_spec(ctx: GradingContext[BackendConfig], tester_image: str, select: str,
                args: list[str], state: bytes | None = None,
                keys: bytes | None = None) -> RunSpec:
    """A run of the hidden suite (`select`: main, after_restart or all) against `app`.
    `keys`: signing_keys.json, the key-like literals of the candidate's own code (theirs,
    not a secret of ours) that the forged-token tests sign with."""
    cfg = ctx.config
    left = ctx.sandbox.seconds_left()
    if left is not None and "--skip-all" not in args:
        args = [*args, "--deadline", f"{max(1.0, left - BUDGET_RESERVE_SECONDS):.1f}"]
    files: dict[str, bytes | Path] = {"run_hidden.py": RUNNER, "results_plugin.py": PLUGIN,
                                      "disclosure.py": DISCLOSURE, "hidden": cfg.hidden_tests}
    if state is not None:
        files["state.json"] = state
    if keys is not None:
        files["signing_keys.json"] = keys
    return RunSpec(
        image=tester_image, name_hint=f"tester-{select}",
        limits=ctx.challenge.limits.merged(memory_mb=512, pids=256),
        command=["python", "run_hidden.py", "--base-url", f"http://app:{cfg.port}",
                 "--health", cfg.health_path, "--suite", "hidden", "--select", select, *args],
        files=files,
        collect={"results.json": RESULTS_CAP, "ready.json": SMALL_CAP,
                 "state.json": SMALL_CAP, "users.json": SMALL_CAP})


def read_json(result: RunResult, name: str) -> Any:
    """A JSON file the run left behind, or None when it is missing or not JSON."""
    return json_or_none(result.files.get(name))


def _tests(run: RunResult) -> list[dict[str, Any]] | None:
    data = read_json(run, "results.json")
    tests = data.get("tests") if isinstance(data, dict) else None
    if not isinstance(tests, list):
        return None
    return [t for t in tests if isinstance(t, dict) and isinstance(t.get("nodeid"), str)]


def expected_tests(ctx: GradingContext[BackendConfig], tester_image: str) -> list[dict[str, Any]]:
    """Every hidden test with its weight and whether it runs after the restart, listed by a
    tester run of grader's own (no server, no network) before anything of the candidate's
    runs, once per hidden suite and process. Tests missing from a run's results are then
    counted as failed: a server cannot make its failures vanish by killing the tester."""
    key = (str(ctx.config.hidden_tests), tester_image)
    with _LISTED_LOCK:
        if key not in _LISTED:
            run = ctx.sandbox.run(tester_spec(ctx, tester_image, "all",
                                              ["--skip-all", "listing", "--blocked-by", ""]))
            tests = _tests(run)
            if not tests:
                raise ChallengeConfigError(
                    f"{ctx.config.hidden_tests}: the hidden suite could not be listed "
                    f"({run.describe()}): {run.stdout.text()[-1500:]}")
            _LISTED[key] = tests
        return _LISTED[key]


def not_run_checks(expected: list[dict[str, Any]], reason: str,
                   blocked_by: str) -> list[CheckResult]:
    """Every hidden test, not run (the server never started, or never answered)."""
    return [CheckResult.not_run(check_id(t["nodeid"]), reason, blocked_by=blocked_by,
                                title=str(t.get("title") or check_id(t["nodeid"])),
                                max_points=_weight(t)) for t in expected]


def hidden_checks(run: RunResult, routes: list[Route],
                  expected: list[dict[str, Any]]) -> list[CheckResult]:
    """One check per hidden test `expected` in this run: from its record in results.json
    (weights from the tests' points), or failed when it left none."""
    if run.never_ran:
        return not_run_checks(expected, "the challenge's grading budget was spent before "
                              "these tests could run", "")
    tests = _tests(run)
    by_id = {t["nodeid"]: t for t in tests or []}
    checks = [_test_check(by_id[t["nodeid"]], routes) if t["nodeid"] in by_id else
              _no_result(t, run) for t in expected]
    if tests is None and run.outcome != "budget":
        checks.append(CheckResult.error(
            "runtime.hidden-suite", f"the hidden test runner produced no results: "
            f"{run.explain()}", title="Hidden test suite ran", max_points=0,
            evidence={"run": run.to_evidence()}))
    return checks


def _no_result(test: dict[str, Any], run: RunResult) -> CheckResult:
    """A test the run left no record of. Failed when the tester died or was killed at its
    own timeout (a server must not make its failures vanish by killing the tester); not run
    when grader cut the run at the end of the grading budget: it never judged the server,
    so it raises no flag (0 points either way)."""
    cid, title = check_id(test["nodeid"]), str(test.get("title") or check_id(test["nodeid"]))
    evidence = {"run": run.to_evidence()}
    if run.outcome == "budget":
        return CheckResult.not_run(cid, "the challenge's grading budget ran out before this "
                                   f"test could run ({run.describe()})", title=title,
                                   max_points=_weight(test), evidence=evidence)
    return CheckResult.failed(cid, "the test left no result: the tester stopped before it "
                              f"ran ({run.describe()})", title=title,
                              max_points=_weight(test), evidence=evidence)


def _weight(test: dict[str, Any]) -> float:
    weight = test.get("points", 1.0)
    return float(weight) if isinstance(weight, int | float) and 0 < weight <= 100 else 1.0


def _without_bare_assert(message: str) -> str:
    """pytest adds the failed expression under the assertion's message; `assert False` (from
    `assert refused(...)`, "the tampered token works") tells the reviewer nothing."""
    lines = [line for line in message.splitlines() if line.strip() != "assert False"]
    return "\n".join(lines).removesuffix(" assert False")


def _test_check(test: dict[str, Any], routes: list[Route]) -> CheckResult:
    cid = check_id(test["nodeid"])
    title = str(test.get("title") or cid)
    outcome = test.get("outcome")
    raw_exchanges = test.get("exchanges")
    exchanges: list[Any] = raw_exchanges if isinstance(raw_exchanges, list) else []
    evidence: dict[str, Any] = {"exchanges": exchanges} if exchanges else {}
    message = _without_bare_assert(str(test.get("message", ""))[:2000])
    message = message.removeprefix("AssertionError: ")  # a test's own words need no type
    if not assertion_words(message).strip():
        # No words of the test's own, at most pytest's introspection ("+ where False =
        # is_client_error(500)"): the test's title says what was expected.
        message = f"expected: {title}" + (f"\n{message}" if message.strip() else "")
    weight = _weight(test)
    note = str(test.get("note") or "")[:1000]
    where = _where(test.get("where"))
    if where:  # the test judged a place in the code (a signing key), not a handler
        evidence["findings"] = [where]
    if outcome == "passed":
        return CheckResult.passed(cid, f"passed: {note}" if note else "passed", title=title,
                                  max_points=weight, evidence={"findings": [where]} if where
                                  else {})
    if outcome == "skipped":  # the test does not apply here (JWT tests, opaque tokens)
        return CheckResult.unverified(cid, message or "does not apply", title=title)
    if outcome == "not_run":
        handler = _handler(routes, exchanges)
        if handler:
            evidence["handler"] = handler
        return CheckResult.not_run(cid, message or "an earlier step did not happen",
                                   blocked_by=str(test.get("blocked_by") or "")[:200],
                                   title=title, max_points=weight, evidence=evidence)
    handler = None if where else _handler(routes, exchanges)
    if handler:
        evidence["handler"] = handler
    last = exchanges[-1] if exchanges else None
    if isinstance(last, dict) and isinstance(last.get("response"), dict) and isinstance(
            last.get("request"), dict):
        req, resp = last["request"], last["response"]
        message = f"{req.get('method')} {req.get('path')} -> {resp.get('status')}: {message}"
    maker = CheckResult.failed if outcome == "failed" else CheckResult.error
    return maker(cid, message or "failed", title=title, max_points=weight, evidence=evidence)


def _where(raw: Any) -> dict[str, Any] | None:
    """The file:line a test pointed at (results_plugin.point_at), when it is well formed."""
    if not isinstance(raw, dict) or not isinstance(raw.get("file"), str) or not isinstance(
            raw.get("line"), int) or isinstance(raw.get("line"), bool):
        return None
    return {"file": raw["file"][:300], "line": raw["line"], "what": str(raw.get("what", ""))[:300]}


def _handler(routes: list[Route], exchanges: list[Any]) -> str | None:
    for exchange in reversed(exchanges):
        request = exchange.get("request") if isinstance(exchange, dict) else None
        if isinstance(request, dict):
            route = handler_for(routes, str(request.get("method", "")),
                                str(request.get("path", "")))
            if route:
                return f"{route.file}:{route.line} ({route.handler})"
    return None
