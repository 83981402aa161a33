"""The backend track: a candidate's REST API, graded by hidden HTTP tests against it running.

1. Static facts on the host: framework (and whether the challenge allows it), async
   handlers, lint, secrets, Python-2-isms, and a route index to point failures at handlers.
2. The submission image: the track image (frameworks preinstalled) plus the candidate's
   requirements in a layer cached by their hash. A failed install is a failed check with
   pip's output; the runtime checks are then skipped (score 0), and the report says why.
3. The server runs on an internal network (no way out) under the `run` command of
   submission.yaml. A separate tester container, holding the hidden tests and grader's runner,
   waits for /health and runs the suite over HTTP; the hidden tests never enter the server's
   container. Then the server container is restarted (same volume) and the persistence test
   runs again: data must survive.
4. The candidate's own tests run in a container without network, with coverage.
"""

from __future__ import annotations

import json
import time
from pathlib import Path, PurePosixPath
from typing import Any

from grader.analysis.code_facts import quality_checks
from grader.analysis.frameworks import KNOWN, detect_framework
from grader.analysis.routes import Route, find_routes, handler_for
from grader.challenge import Challenge, track_config_error
from grader.checks import CheckResult
from grader.errors import ChallengeConfigError
from grader.sandbox.engine import RunResult, RunSpec, Sandbox
from grader.tracks.base import GradingContext, Track
from grader.tracks.own_tests import own_tests
from grader.tracks.requirements import submission_image
from grader.tracks.tester import PLUGIN, RUNNER

RESULTS_CAP = 4 * 1024 * 1024
SMALL_CAP = 64 * 1024


def _check_id(nodeid: str) -> str:
    """hidden/test_auth.py::test_wrong_password_is_401[x] -> http.auth.wrong_password_is_401[x]"""
    file, _, name = nodeid.partition("::")
    module = PurePosixPath(file).stem.removeprefix("test_")
    return f"http.{module}.{name.removeprefix('test_')}"


class BackendTrack(Track):
    name = "backend"

    # -- configuration ----------------------------------------------------------------------
    def validate(self, challenge: Challenge) -> None:
        cfg = challenge.track_config
        frameworks = cfg.get("frameworks", list(KNOWN))
        if not isinstance(frameworks, list) or not frameworks or not set(frameworks) <= set(
                KNOWN):
            raise track_config_error(challenge, "frameworks",
                                     f"a non-empty list drawn from {KNOWN}")
        for image in ("server", "tester"):
            if image not in challenge.images:
                raise ChallengeConfigError(
                    f"{challenge.config_file}: key 'images.{image}': expected the backend "
                    "track's image (a Dockerfile)")
        hidden = challenge.root / str(cfg.get("hidden_tests", "hidden"))
        if not hidden.is_dir():
            raise track_config_error(challenge, "hidden_tests", "a folder of hidden tests")
        for key in ("port", "startup_timeout_seconds"):
            value = cfg.get(key, 1)
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                raise track_config_error(challenge, key, "a positive number")

    # -- grading ----------------------------------------------------------------------------
    def grade(self, ctx: GradingContext) -> list[CheckResult]:
        challenge, sub = ctx.challenge, ctx.submission
        cfg = challenge.track_config
        checks: list[CheckResult] = []

        t = time.monotonic()
        framework, counts = detect_framework(sub.root, sub.files)
        routes = find_routes(sub.root, sub.files)
        checks.append(self._framework_check(framework, counts, sub.manifest.framework,
                                            list(cfg.get("frameworks", KNOWN))))
        checks.append(self._async_check(routes))
        own = ctx.candidate_files
        if any(f.endswith(".py") for f in own):
            checks += quality_checks(sub.root, own)
        else:
            checks += [CheckResult.failed(cid, "no Python code of the candidate's own to judge",
                                          title=title, kind="static")
                       for cid, title in (("static.lint", "Lint (ruff)"),
                                          ("static.no-secrets", "No secrets committed"),
                                          ("static.modern-python", "Modern Python"))]
        ctx.timings["static"] = round(time.monotonic() - t, 3)

        t = time.monotonic()
        specs = {s.name: s for s in self.image_specs(challenge)}
        server_image = ctx.sandbox.ensure_image(specs[f"{challenge.id}-server"]).tag
        tester_image = ctx.sandbox.ensure_image(specs[f"{challenge.id}-tester"]).tag
        image, why_not = submission_image(ctx, server_image, checks)
        ctx.timings["images"] = round(time.monotonic() - t, 3)

        run_command = sub.manifest.commands.get("run")
        if image is not None and not run_command:
            why_not = "submission.yaml has no `run` command to start the server"
        checks += self._hidden_tests(ctx, image, tester_image, run_command, routes, why_not)

        t = time.monotonic()
        checks += own_tests(ctx, image or server_image, env={"DATA_DIR": "/tmp/data"})
        ctx.timings["own_tests"] = round(time.monotonic() - t, 3)
        return checks

    # -- static -----------------------------------------------------------------------------
    @staticmethod
    def _framework_check(framework: str | None, counts: dict[str, int], declared: str | None,
                         allowed: list[str]) -> CheckResult:
        title = "Framework allowed by the challenge"
        evidence = {"detected": framework, "imports": counts, "declared": declared,
                    "allowed": allowed}
        if framework is None:
            return CheckResult.failed("static.framework", "no FastAPI, Flask or Django "
                                      "import found", title=title, kind="static",
                                      evidence=evidence)
        notes = []
        if declared and declared != framework:
            notes.append(f"submission.yaml says {declared}")
        if framework not in allowed:
            return CheckResult.failed(
                "static.framework", f"written in {framework}, but this challenge asks for "
                f"{' or '.join(allowed)}" + (f" ({'; '.join(notes)})" if notes else ""),
                title=title, kind="static", evidence=evidence)
        return CheckResult.passed("static.framework", f"{framework}" + (
            f" ({'; '.join(notes)})" if notes else ""), title=title, kind="static",
            evidence=evidence)

    @staticmethod
    def _async_check(routes: list[Route]) -> CheckResult:
        title = "Async request handlers (bonus)"
        if not routes:
            return CheckResult.failed("static.async-endpoints", "no route handlers found",
                                      title=title, kind="static")
        handlers = {(r.file, r.line): r for r in routes}
        n_async = sum(1 for r in handlers.values() if r.is_async)
        share = n_async / len(handlers)
        return CheckResult(
            id="static.async-endpoints", status="passed" if share >= 0.5 else "failed",
            points=share, title=title, kind="static",
            message=f"{n_async} of {len(handlers)} handler(s) are async",
            evidence={"handlers": [f"{r.file}:{r.line} {r.handler}"
                                   f"{' (async)' if r.is_async else ''}"
                                   for r in list(handlers.values())[:40]]})

    # -- hidden tests -----------------------------------------------------------------------
    def _tester_spec(self, ctx: GradingContext, tester_image: str, network: Any,
                     select: str, args: list[str], state: bytes | None = None,
                     stop_when: Any = None) -> RunSpec:
        cfg = ctx.challenge.track_config
        hidden = ctx.challenge.root / str(cfg.get("hidden_tests", "hidden"))
        files: dict[str, bytes | Path] = {"run_hidden.py": RUNNER,
                                          "results_plugin.py": PLUGIN, "hidden": hidden}
        if state is not None:
            files["state.json"] = state
        port = int(cfg.get("port", 8000))
        return RunSpec(
            image=tester_image, network=network, name_hint=f"tester-{select}",
            limits=ctx.challenge.limits.merged(memory_mb=512, pids=256),
            command=["python", "run_hidden.py", "--base-url", f"http://app:{port}",
                     "--health", str(cfg.get("health_path", "/health")),
                     "--suite", "hidden", "--select", select, *args],
            files=files, stop_when=stop_when,
            collect={"results.json": RESULTS_CAP, "ready.json": SMALL_CAP,
                     "state.json": SMALL_CAP})

    def _hidden_tests(self, ctx: GradingContext, image: str | None, tester_image: str,
                      run_command: str | None, routes: list[Route],
                      why_not: str) -> list[CheckResult]:
        cfg = ctx.challenge.track_config
        sandbox: Sandbox = ctx.sandbox
        startup = float(cfg.get("startup_timeout_seconds", 45))
        port = int(cfg.get("port", 8000))
        health = str(cfg.get("health_path", "/health"))
        network = sandbox.internal_network("api")
        checks: list[CheckResult] = []
        t = time.monotonic()
        title = "The server starts and answers /health"
        if image is None or not run_command:
            checks.append(CheckResult.failed("runtime.server-starts",
                                             f"not started: {why_not}", title=title))
            skipped = sandbox.run(self._tester_spec(ctx, tester_image, network, "all",
                                                    ["--skip-all", f"not run: {why_not}"]))
            return checks + self._results(skipped, routes)

        server = sandbox.start(RunSpec(
            image=image, command=["/bin/sh", "-c", run_command], network=network,
            alias="app", name_hint="server", limits=ctx.challenge.limits,
            files={rel: ctx.submission.root / rel for rel in ctx.submission.files},
            env={"PORT": str(port), "HOST": "0.0.0.0", "DATA_DIR": "/work/data"}))
        # Wait for /health in a short tester run that stops as soon as the server exits.
        waited = sandbox.run(self._tester_spec(
            ctx, tester_image, network, "main", ["--wait", str(startup), "--wait-only"],
            stop_when=lambda: not server.running()))
        ready = self._json(waited, "ready.json") or {}
        ctx.timings["server_start"] = round(waited.seconds, 3)
        if ready.get("ready"):
            checks.append(CheckResult.passed(
                "runtime.server-starts", f"answered {health} after {ready.get('seconds')} s",
                title=title))
            main = sandbox.run(self._tester_spec(ctx, tester_image, network, "main",
                                                 ["--wait", "10"]))
            checks += self._results(main, routes)
            server.restart()
            after = sandbox.run(self._tester_spec(ctx, tester_image, network, "after_restart",
                                                  ["--wait", str(startup)],
                                                  state=main.files.get("state.json")))
            checks += self._results(after, routes)
        else:
            log_tail = server.logs_tail()
            why = ("the server process exited" if waited.outcome == "stopped" or
                   not server.running() else
                   f"no answer within {startup:g} s (last error: "
                   f"{ready.get('last_error') or 'none'})")
            checks.append(CheckResult.failed(
                "runtime.server-starts", f"the server never answered {health}: {why}",
                title=title, evidence={"server_log_tail": log_tail or "(no output)",
                                       "command": run_command}))
            skipped = sandbox.run(self._tester_spec(
                ctx, tester_image, network, "all",
                ["--skip-all", f"not run: the server never answered {health} ({why})"]))
            checks += self._results(skipped, routes)
        ctx.add_artifact("server.log", server.logs_tail(256 * 1024))
        server.stop()
        ctx.timings["hidden_tests"] = round(time.monotonic() - t, 3)
        return checks

    @staticmethod
    def _json(result: RunResult, name: str) -> Any:
        raw = result.files.get(name)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return None

    def _results(self, run: RunResult, routes: list[Route]) -> list[CheckResult]:
        data = self._json(run, "results.json")
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
            check_id = _check_id(test["nodeid"])
            title = str(test.get("title") or check_id)
            outcome = test.get("outcome")
            exchanges = test.get("exchanges") if isinstance(test.get("exchanges"), list) else []
            evidence: dict[str, Any] = {"exchanges": exchanges} if exchanges else {}
            message = str(test.get("message", ""))[:2000]
            weight = test.get("points", 1.0)
            weight = float(weight) if isinstance(weight, int | float) and 0 < weight <= 100 \
                else 1.0
            if outcome == "passed":
                checks.append(CheckResult.passed(check_id, "passed", title=title,
                                                 max_points=weight))
                continue
            if outcome == "skipped":
                checks.append(CheckResult.skipped(check_id, message or "skipped",
                                                  title=title, max_points=weight))
                continue
            handler = self._handler(routes, exchanges)
            if handler:
                evidence["handler"] = handler
            last = exchanges[-1] if exchanges else None
            if last and isinstance(last.get("response"), dict) and isinstance(
                    last.get("request"), dict):
                req, resp = last["request"], last["response"]
                message = (f"{req.get('method')} {req.get('path')} -> {resp.get('status')}: "
                           f"{message}")
            maker = CheckResult.failed if outcome == "failed" else CheckResult.error
            checks.append(maker(check_id, message or "failed", title=title,
                                max_points=weight, evidence=evidence))
        return checks

    @staticmethod
    def _handler(routes: list[Route], exchanges: list[Any]) -> str | None:
        for exchange in reversed(exchanges):
            request = exchange.get("request") if isinstance(exchange, dict) else None
            if isinstance(request, dict):
                route = handler_for(routes, str(request.get("method", "")),
                                    str(request.get("path", "")))
                if route:
                    return f"{route.file}:{route.line} ({route.handler})"
        return None
