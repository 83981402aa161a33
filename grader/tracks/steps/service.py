"""A candidate's server for one grading: an internal network of its own, the server started
on it under the alias `app`, client runs (grader's tester or prober) beside it that stop as
soon as the server exits, its log kept as an artifact, and the server stopped at the end.

Used as a context manager by every track that serves something (backend, mle):

    with Service(ctx, image=tag, command=run, port=8000, files=files, env=env) as service:
        waited = service.client(RunSpec(...))           # the tester / prober, same network
        if not ready:
            message, evidence = service.not_ready(ready, waited, startup)

`process_limit_checks` says when the server's container was seen at its process limit (a fork
bomb, a worker or thread started per request and never ended): the container is sampled after
every client run and before the server stops, and `note_crowded` adds that fact to the checks a
client run failed while it held.

`not_ready` says *why* a server never answered: its process exited (with the last exception
line of its log), it answered HTTP but not 200 (status and body head: Django's DisallowedHost
is a 400), or its log shows it listening on another port or on 127.0.0.1 only.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from grader.checks import CheckResult
from grader.sandbox.engine import Network, RunResult, RunSpec
from grader.sandbox.engine import Service as EngineService
from grader.text import last_exception_line
from grader.tracks.base import GradingContext

LOG_ARTIFACT_BYTES = 256 * 1024
#: Seconds a server may keep saying it listens where nobody can reach it before grader stops
#: waiting for it (a reloader may rebind; a dev server on 127.0.0.1:5000 never will).
GIVE_UP = 4.0
_LISTENING = re.compile(
    r"(?:running on|listening (?:on|at)|serving (?:on|at)|started server|starting development "
    r"server at|uvicorn running on|bound to|address)\D{0,40}?"
    r"(?:https?://)?\[?(?P<host>[0-9a-zA-Z_.:-]*?)\]?:(?P<port>\d{2,5})\b", re.IGNORECASE)
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
PROCESS_LIMIT_CHECK = "runtime.process-limit"
PROCESS_LIMIT_TITLE = "The server stays within its process limit"


def listening_addresses(log: str) -> list[tuple[str, int]]:
    """(host, port) pairs the server's log says it listens on, in order of appearance."""
    found = []
    for match in _LISTENING.finditer(log):
        port = int(match["port"])
        if 0 < port < 65536:
            found.append((match["host"] or "", port))
    return found


class Service:
    """One server on its own internal network, removed with the grading's sandbox."""

    def __init__(self, ctx: GradingContext[Any], *, image: str, command: str, port: int,
                 files: Mapping[str, bytes | Path], env: Mapping[str, str],
                 name_hint: str = "server", network_hint: str = "svc",
                 collect: Mapping[str, int] | None = None) -> None:
        """collect: what to read back from the server's work dir once it stopped (as in
        RunSpec.collect; "./" is the whole work dir as a tar), in `self.final.files`."""
        self.ctx = ctx
        self.port = port
        self.command = command
        self._spec = RunSpec(image=image, command=["/bin/sh", "-c", command], alias="app",
                             name_hint=name_hint, limits=ctx.challenge.limits, files=files,
                             env={"PORT": str(port), "HOST": "0.0.0.0", **env},
                             collect=dict(collect or {}))
        self.final: RunResult | None = None
        self._last_look = 0.0
        self._wrong_since: float | None = None
        self._network_hint = network_hint
        self.network: Network | None = None
        self.server: EngineService | None = None
        self.base_url = f"http://app:{port}"
        #: (tasks, limit) the first time the container was seen at its process limit, and
        #: when; None while it never was.
        self.crowded: tuple[int, int] | None = None
        self.crowded_when = ""
        self.crowded_last = ""   # when the last sample was taken, if it found it at its limit

    def __enter__(self) -> Service:
        self.network = self.ctx.sandbox.internal_network(self._network_hint)
        self.server = self.ctx.sandbox.start(dataclasses.replace(self._spec,
                                                                 network=self.network))
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.server is None:
            return
        if exc_type is None or not issubclass(exc_type, KeyboardInterrupt):
            self.ctx.add_artifact("server.log", self.log(LOG_ARTIFACT_BYTES))
            self.look_at_processes("when the server was stopped")
        self.final = self.server.stop()

    # -- the server -----------------------------------------------------------------------
    def running(self) -> bool:
        return self.server is not None and self.server.running()

    def exited(self) -> bool:
        return not self.running()

    def restart(self) -> None:
        assert self.server is not None
        self.server.restart()

    def log(self, max_bytes: int = 16 * 1024) -> str:
        return self.server.logs_tail(max_bytes) if self.server is not None else ""

    def exec(self, command: list[str]) -> tuple[int, bytes] | None:
        """Run `command` in the server's container (its user, its work dir): exit code and
        output; None when the engine cannot run a command in a running container."""
        if self.server is None:
            return None
        done = self.server.exec(command)
        return None if done is None else (done[0], done[1][:4096])

    # -- clients on the same network ------------------------------------------------------
    def client(self, spec: RunSpec, stop_on_exit: bool = True, what: str = "") -> RunResult:
        """Run `spec` (grader's own image and files) on the service's network. With
        `stop_on_exit` it is stopped as soon as the server's container exits, or once its log
        has said for a few seconds that it listens where nobody can reach it (a client that
        waits for readiness); without, it runs to its end (a suite that must record what a
        crashing server did to it). `what` names the run for the process-limit check ("the
        hidden tests"); the server's container is sampled as it ends."""
        result = self.ctx.sandbox.run(dataclasses.replace(
            spec, network=self.network,
            stop_when=self._unreachable if stop_on_exit else None))
        if not result.never_ran:
            self.look_at_processes(f"when {what or spec.name_hint} ended")
        return result

    # -- processes ------------------------------------------------------------------------
    def look_at_processes(self, when: str) -> bool:
        """Sample the server's container; True (and `crowded` set, the first time) when it
        holds as many processes and threads as its limit allows."""
        seen = self.server.processes() if self.server is not None else None
        at_limit = seen is not None and seen[0] >= seen[1]
        self.crowded_last = when if at_limit else ""
        if seen is None or not at_limit:
            return False
        if self.crowded is None:
            self.crowded, self.crowded_when = seen, when
        return True

    def process_limit_checks(self) -> list[CheckResult]:
        """[runtime.process-limit, failed] when the container was seen at its limit; []
        otherwise (a few samples cannot vouch that it never got there)."""
        if self.crowded is None:
            return []
        tasks, limit = self.crowded
        return [CheckResult.failed(
            PROCESS_LIMIT_CHECK, f"the server's container was at its process limit ({tasks} "
            f"of {limit} processes and threads) {self.crowded_when}: something in it keeps "
            "starting them; while it is there, no new thread or worker can start, so requests "
            "that need one fail or wait (limits.pids)",
            title=PROCESS_LIMIT_TITLE, max_points=0,
            evidence={"processes": tasks, "limit": limit, "seen": self.crowded_when})]

    def note_crowded(self, checks: list[CheckResult]) -> list[CheckResult]:
        """`checks` of the last client run: when it ended with the container at its limit, the
        failed ones say so (the fact, not a verdict: the reviewer weighs it)."""
        if not self.crowded_last:
            return checks
        note = (f" (the server's container was at its process limit {self.crowded_last}: "
                f"{PROCESS_LIMIT_CHECK})")
        return [dataclasses.replace(c, message=_after_first_line(c.message, note))
                if c.status == "failed" else c for c in checks]

    def _unreachable(self) -> bool:
        """The server exited, or its log names only an address other containers cannot
        reach (another port, or 127.0.0.1) and has for GIVE_UP seconds."""
        if self.exited():
            return True
        now = time.monotonic()
        if now - self._last_look < 1.0:
            return False
        self._last_look = now
        addresses = listening_addresses(self.log(16 * 1024))
        wrong = bool(addresses) and all(p != self.port or h in _LOCAL_HOSTS
                                        for h, p in addresses)
        if not wrong:
            self._wrong_since = None
            return False
        self._wrong_since = self._wrong_since or now
        return now - self._wrong_since >= GIVE_UP

    # -- diagnosis ------------------------------------------------------------------------
    def not_ready(self, ready: Mapping[str, Any], waited: RunResult, startup: float,
                  health: str = "/health") -> tuple[str, dict[str, Any]]:
        """Why the server never answered `health` with 200, in one sentence, and the evidence
        (the log's tail, what the waiting client last saw, addresses the log names)."""
        log = self.log(64 * 1024)
        evidence: dict[str, Any] = {"command": self.command, "server_log_tail":
                                    log[-6000:] or "(no output)"}
        status = ready.get("last_status")
        body = str(ready.get("last_body") or "")[:300]
        last_error = str(ready.get("last_error") or "")[:300]
        if status or last_error:
            evidence["last_answer"] = (f"HTTP {status}: {body}" if status else last_error)
        addresses = listening_addresses(log)
        if addresses:
            evidence["log_says_listening_on"] = [f"{h or '*'}:{p}" for h, p in addresses[-3:]]
        if self.exited():
            cause = last_exception_line(log)
            why = "the server process exited" + (f": {cause}" if cause else
                                                  " without printing anything")
        elif isinstance(status, int) and status:
            why = (f"it answered GET {health} with HTTP {status}, not 200"
                   + (f" ({_one_line(body)[:160]})" if body.strip() else ""))
        else:
            waited_for = waited.seconds if waited.outcome == "stopped" else startup
            why = f"no HTTP answer on port {self.port} within {waited_for:.0f} s"
            if addresses:
                host, port = addresses[-1]
                wrong = []
                if port != self.port:
                    wrong.append(f"port {port} instead of $PORT ({self.port})")
                if host in _LOCAL_HOSTS:
                    wrong.append(f"{host}, which other containers cannot reach, instead of "
                                 "0.0.0.0 ($HOST)")
                if wrong:
                    why += (f"; its log says it listens on {host or '*'}:{port}: "
                            + " and ".join(wrong))
                elif last_error:
                    why += f" (last error: {last_error[:160]})"
            elif last_error:
                why += f" (last error: {last_error[:160]})"
        return why, evidence


def _after_first_line(message: str, note: str) -> str:
    """`note` at the end of the message's first line: before pytest's introspection, which
    flags and questions leave out."""
    first, newline, rest = message.partition("\n")
    return first + note + newline + rest


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
