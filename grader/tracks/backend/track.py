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
from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from grader.analysis.frameworks import detect_framework
from grader.analysis.routes import Route, find_routes
from grader.analysis.security_facts import security_checks
from grader.analysis.signing_keys import signing_key_literals, signing_salts
from grader.checks import CheckResult
from grader.sandbox.engine import RunResult
from grader.tracks.backend.config import BackendConfig, hidden_test_ids
from grader.tracks.backend.hidden import (
    expected_tests,
    hidden_checks,
    not_run_checks,
    read_json,
    tester_spec,
)
from grader.tracks.backend.static import async_check, debug_mode_check, framework_check
from grader.tracks.backend.stored import (
    HASHING_POINTS,
    HASHING_TITLE,
    PASSWORDS_TITLE,
    registered_usernames,
    stored_password_checks,
)
from grader.tracks.base import GradingContext, Track
from grader.tracks.steps.dependencies import submission_image
from grader.tracks.steps.own_tests import OWN_TEST_CHECKS, own_tests
from grader.tracks.steps.service import PROCESS_LIMIT_CHECK, Service
from grader.tracks.steps.static import code_quality

RESTART_TITLE = "The server starts again after a restart, on the same data"
SERVER_CHECKS = ("runtime.server-starts", "runtime.server-restarts", "runtime.hidden-suite",
                 PROCESS_LIMIT_CHECK,
                 "security.password-storage", "security.password-hashing")
STATIC_CHECKS = ("static.framework", "static.async-endpoints", "static.lint",
                 "static.no-secrets", "static.modern-python", "build.dependencies",
                 "static.sql-injection", "static.token-verification", "static.debug-mode")


class BackendTrack(Track[BackendConfig]):
    name = "backend"
    config_class = BackendConfig

    def images(self, config: BackendConfig) -> tuple[str, ...]:
        return ("server", "tester")

    def check_ids(self, config: BackendConfig) -> Iterable[str]:
        return [*SERVER_CHECKS, *STATIC_CHECKS, *OWN_TEST_CHECKS,
                *hidden_test_ids(config.hidden_tests)]

    def grade(self, ctx: GradingContext[BackendConfig]) -> list[CheckResult]:
        sub, cfg = ctx.submission, ctx.config
        checks: list[CheckResult] = []
        with ctx.stage("static"):
            framework, counts = detect_framework(sub.root, sub.files)
            routes = find_routes(sub.root, sub.files)
            checks.append(framework_check(framework, counts, sub.manifest.framework,
                                          cfg.frameworks))
            checks.append(async_check(routes))
            checks += code_quality(ctx)
            checks += security_checks(sub.root, ctx.candidate_files)
            run_command = sub.manifest.commands.get("run")
            checks.append(debug_mode_check(sub.root, sub.files, run_command))
            # every file the server is handed: a key the kit left in settings signs too
            keys = {"keys": signing_key_literals(sub.root, sub.files, run_command),
                    "salts": signing_salts(sub.root, sub.files)}
        with ctx.stage("images"):
            server_image = ctx.image("server")
            tester_image = ctx.image("tester")
            image, why_not = submission_image(ctx, server_image, checks)
        with ctx.stage("hidden_tests"):
            checks += self._hidden_tests(ctx, image, tester_image,
                                         sub.manifest.commands.get("run"), routes, why_not,
                                         json.dumps(keys).encode())
        with ctx.stage("own_tests"):
            checks += own_tests(ctx, image or server_image, env={"DATA_DIR": "/tmp/data"})
        return checks

    def _hidden_tests(self, ctx: GradingContext[BackendConfig], image: str | None,
                      tester_image: str, run_command: str | None, routes: list[Route],
                      why_not: str, keys: bytes) -> list[CheckResult]:
        cfg = ctx.config
        title = "The server starts and answers /health"
        expected = expected_tests(ctx, tester_image)
        main_tests = [t for t in expected if not t.get("after_restart")]
        after_tests = [t for t in expected if t.get("after_restart")]
        if image is None or not run_command:
            started = (CheckResult.not_run("runtime.server-starts", why_not,
                                           blocked_by="build.dependencies", title=title)
                       if image is None else
                       CheckResult.failed("runtime.server-starts", "submission.yaml has no "
                                          "`run` command to start the server", title=title))
            why = started.message.removeprefix("not run: ")
            return [started, *self._never_served(expected, f"the server was not started: "
                                                           f"{why}")]
        checks: list[CheckResult] = []
        handed = [rel for rel in ctx.submission.files
                  if not any(fnmatchcase(rel, p) for p in cfg.server_excludes)]
        withheld = sorted(set(ctx.submission.files) - set(handed))
        files: dict[str, bytes | Path] = {rel: ctx.submission.root / rel for rel in handed}
        startup = cfg.startup_timeout_seconds
        usernames: list[str] | None = None  # registered by the hidden suite (users.json)
        with Service(ctx, image=image, command=run_command, port=cfg.port, files=files,
                     env={"DATA_DIR": "/work/data"}, network_hint="api",
                     collect={"./": int(cfg.data_cap_mb * 2**20)}) as service:
            # Wait for /health in a short tester run that stops as soon as the server exits.
            waited = service.client(tester_spec(ctx, tester_image, "main",
                                                ["--wait", str(startup), "--wait-only"]),
                                    what=f"the wait for {cfg.health_path}")
            ready = read_json(waited, "ready.json")
            ready = ready if isinstance(ready, dict) else {}
            ctx.timings["server_start"] = round(waited.seconds, 3)
            evidence = {"not_handed_to_server": withheld} if withheld else {}
            if not (ready.get("ready") or ready.get("answering")):
                why, more = service.not_ready(ready, waited, startup, cfg.health_path)
                checks += service.note_crowded([CheckResult.failed(
                    "runtime.server-starts", f"the server never answered {cfg.health_path}: "
                    f"{why}", title=title, evidence={**evidence, **more})])
                checks += self._never_served(expected, f"the server never answered "
                                                       f"{cfg.health_path} ({why})",
                                             stored=False)
            else:
                if ready.get("ready"):
                    checks.append(CheckResult.passed(
                        "runtime.server-starts", f"answered {cfg.health_path} after "
                        f"{ready.get('seconds')} s", title=title, evidence=evidence))
                else:  # up, but no health endpoint: the suite still runs against it
                    why, more = service.not_ready(ready, waited, startup, cfg.health_path)
                    checks.append(CheckResult.passed(
                        "runtime.server-starts", f"answers HTTP after {ready.get('seconds')} "
                        f"s, but {why} (http.contract.health judges that)", title=title,
                        evidence={**evidence, **more}))
                main = service.client(tester_spec(ctx, tester_image, "main", ["--wait", "10"],
                                                  keys=keys),
                                      stop_on_exit=False, what="the hidden tests")
                usernames = registered_usernames(main.files.get("users.json"))
                checks += service.note_crowded(hidden_checks(main, routes, main_tests))
                service.restart()
                after = service.client(tester_spec(
                    ctx, tester_image, "after_restart",
                    ["--wait", str(startup), "--blocked-by", "runtime.server-restarts"],
                    state=main.files.get("state.json")), stop_on_exit=False,
                    what="the tests after the restart")
                checks += service.note_crowded([self._restarted(service, after, startup),
                                                *hidden_checks(after, routes, after_tests)])
        checks += service.process_limit_checks()
        checks += stored_password_checks(ctx, service, checks, set(handed), usernames)
        return checks

    @staticmethod
    def _never_served(expected: list[dict[str, Any]], why: str,
                      stored: bool = True) -> list[CheckResult]:
        """Every hidden test, the restart and (`stored`) the password checks, not run:
        `why`."""
        checks = [*not_run_checks(expected, why, "runtime.server-starts"),
                  CheckResult.not_run("runtime.server-restarts", "the server never started",
                                      blocked_by="runtime.server-starts", title=RESTART_TITLE)]
        if stored:
            checks += [CheckResult.not_run("security.password-storage", "the server never "
                                           "started", blocked_by="runtime.server-starts",
                                           title=PASSWORDS_TITLE),
                       CheckResult.not_run("security.password-hashing", "the server never "
                                           "started", blocked_by="runtime.server-starts",
                                           title=HASHING_TITLE, max_points=HASHING_POINTS)]
        return checks

    @staticmethod
    def _restarted(service: Service, after: RunResult, startup: float) -> CheckResult:
        """runtime.server-restarts: the server answered again after its container restarted."""
        if after.never_ran:
            return CheckResult.not_run("runtime.server-restarts", "the challenge's grading "
                                       "budget was spent before the restart could be checked",
                                       title=RESTART_TITLE)
        ready = read_json(after, "ready.json")
        ready = ready if isinstance(ready, dict) else {}
        if ready.get("ready") or ready.get("answering"):
            return CheckResult.passed("runtime.server-restarts", "answered again "
                                      f"{ready.get('seconds')} s after the restart",
                                      title=RESTART_TITLE)
        why, evidence = service.not_ready(ready, after, startup)
        return CheckResult.failed("runtime.server-restarts", f"after the restart, {why}",
                                  title=RESTART_TITLE, evidence=evidence)
