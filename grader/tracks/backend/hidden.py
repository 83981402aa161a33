"""The hidden HTTP suite: the tester container's runs (grader's runner + the challenge's
hidden tests, never in the server's container) and their results read back as checks, each
failure with its last HTTP exchange and the handler (file:line) that served it."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from grader.analysis.routes import Route, handler_for
from grader.checks import CheckResult
from grader.sandbox.engine import RunResult, RunSpec
from grader.tracks.backend.config import BackendConfig
from grader.tracks.backend.tester import PLUGIN, RUNNER
from grader.tracks.base import GradingContext

RESULTS_CAP = 4 * 1024 * 1024
SMALL_CAP = 64 * 1024


def check_id(nodeid: str) -> str:
    """hidden/test_auth.py::test_wrong_password_is_401[x] -> http.auth.wrong_password_is_401[x]"""
    file, _, name = nodeid.partition("::")
    module = PurePosixPath(file).stem.removeprefix("test_")
    return f"http.{module}.{name.removeprefix('test_')}"


def tester_spec(ctx: GradingContext[BackendConfig], tester_image: str, select: str,
                args: list[str], state: bytes | None = None) -> RunSpec:
    """A run of the hidden suite (`select`: main, after_restart or all) against `app`."""
    cfg = ctx.config
    files: dict[str, bytes | Path] = {"run_hidden.py": RUNNER, "results_plugin.py": PLUGIN,
                                      "hidden": cfg.hidden_tests}
    if state is not None:
        files["state.json"] = state
    return RunSpec(
        image=tester_image, name_hint=f"tester-{select}",
        limits=ctx.challenge.limits.merged(memory_mb=512, pids=256),
        command=["python", "run_hidden.py", "--base-url", f"http://app:{cfg.port}",
                 "--health", cfg.health_path, "--suite", "hidden", "--select", select, *args],
        files=files,
        collect={"results.json": RESULTS_CAP, "ready.json": SMALL_CAP,
                 "state.json": SMALL_CAP})


def read_json(result: RunResult, name: str) -> Any:
    """A JSON file the run left behind, or None when it is missing or not JSON."""
    raw = result.files.get(name)
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def hidden_checks(run: RunResult, routes: list[Route]) -> list[CheckResult]:
    """One check per hidden test in the run's results.json (weights from the tests' points)."""
    data = read_json(run, "results.json")
    tests = data.get("tests") if isinstance(data, dict) else None
    if not isinstance(tests, list):
        return [CheckResult.error(
            "runtime.hidden-suite", f"the hidden test runner produced no results: "
            f"{run.describe()}", title="Hidden test suite ran",
            evidence={"run": run.to_evidence()})]
    checks = []
    for test in tests:
        if not isinstance(test, dict) or not isinstance(test.get("nodeid"), str):
            continue
        checks.append(_test_check(test, routes))
    return checks


def _test_check(test: dict[str, Any], routes: list[Route]) -> CheckResult:
    cid = check_id(test["nodeid"])
    title = str(test.get("title") or cid)
    outcome = test.get("outcome")
    raw_exchanges = test.get("exchanges")
    exchanges: list[Any] = raw_exchanges if isinstance(raw_exchanges, list) else []
    evidence: dict[str, Any] = {"exchanges": exchanges} if exchanges else {}
    message = str(test.get("message", ""))[:2000]
    weight = test.get("points", 1.0)
    weight = float(weight) if isinstance(weight, int | float) and 0 < weight <= 100 else 1.0
    if outcome == "passed":
        return CheckResult.passed(cid, "passed", title=title, max_points=weight)
    if outcome == "skipped":
        return CheckResult.skipped(cid, message or "skipped", title=title, max_points=weight)
    if outcome == "not_run":
        handler = _handler(routes, exchanges)
        if handler:
            evidence["handler"] = handler
        return CheckResult.not_run(cid, message or "an earlier step did not happen",
                                   blocked_by=str(test.get("blocked_by") or "")[:200],
                                   title=title, max_points=weight, evidence=evidence)
    handler = _handler(routes, exchanges)
    if handler:
        evidence["handler"] = handler
    last = exchanges[-1] if exchanges else None
    if isinstance(last, dict) and isinstance(last.get("response"), dict) and isinstance(
            last.get("request"), dict):
        req, resp = last["request"], last["response"]
        message = f"{req.get('method')} {req.get('path')} -> {resp.get('status')}: {message}"
    maker = CheckResult.failed if outcome == "failed" else CheckResult.error
    return maker(cid, message or "failed", title=title, max_points=weight, evidence=evidence)


def _handler(routes: list[Route], exchanges: list[Any]) -> str | None:
    for exchange in reversed(exchanges):
        request = exchange.get("request") if isinstance(exchange, dict) else None
        if isinstance(request, dict):
            route = handler_for(routes, str(request.get("method", "")),
                                str(request.get("path", "")))
            if route:
                return f"{route.file}:{route.line} ({route.handler})"
    return None
