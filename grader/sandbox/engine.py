"""The narrow interface tracks use to run untrusted code, whatever engine is behind it.

Tracks see only these types: they ask for an image, run a command to completion (`run`), or
start a long-lived service (`start`) on an internal network, and read back capped output and
capped files. `grader.sandbox.docker_engine` implements it with the Docker SDK; another engine
(remote hosts, Kubernetes Jobs) would implement the same methods without touching any track.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Self

from grader.sandbox.capture import CapturedOutput
from grader.sandbox.limits import Limits
from grader.text import last_exception_line
from grader.text import names_exception as _names_exception

Outcome = Literal["exited", "timeout", "oom", "cancelled", "stopped", "budget"]


@dataclass(frozen=True)
class BuildSpec:
    """An image to build: a Dockerfile and its context, keyed by a content hash."""

    name: str                       # short name used in the tag, e.g. "toy-runtime"
    dockerfile: Path
    context: Path
    build_args: Mapping[str, str] = field(default_factory=dict)
    # Extra files added to the build context (context-relative name -> bytes), hashed too.
    extra_files: Mapping[str, bytes] = field(default_factory=dict)
    network: bool = True            # builds may reach the package index; grading runs never do
    # The submission's own content (its requirements): the build counts against the grading
    # budget and is stopped when the budget runs out. A challenge's images are built once for
    # every submission, so their build time is not charged to the one that happens to be first.
    budgeted: bool = False


@dataclass(frozen=True)
class BuiltImage:
    tag: str
    id: str
    content_hash: str
    built: bool                     # False when it came from the cache
    seconds: float
    log_tail: str = ""


@dataclass(frozen=True)
class RunSpec:
    """One hardened container run.

    files: copied into the work dir before start (relative path -> bytes or host file/folder).
    collect: files read back after the container stopped (relative path -> byte cap); a path
    ending in "/" is a folder, read back as the raw bytes of its tar (archive.read_tar_files).
    network: None for no network at all, or a Network from `internal_network()`.
    stop_when: polled about once a second while the run waits; when it returns True the run
    is killed and reported as "stopped" (e.g. stop waiting for a server that has exited).
    """

    image: str
    command: list[str]
    limits: Limits
    files: Mapping[str, bytes | Path] = field(default_factory=dict)
    collect: Mapping[str, int] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    network: Network | None = None
    alias: str = ""                 # DNS name on the network (services)
    name_hint: str = "run"
    workdir: str = "/work"
    stop_when: Callable[[], bool] | None = None


@dataclass
class RunResult:
    """What happened to a run: how it ended, its capped output and the files collected."""

    outcome: Outcome
    exit_code: int | None
    seconds: float
    stdout: CapturedOutput
    stderr: CapturedOutput
    limits: Limits
    files: dict[str, bytes] = field(default_factory=dict)
    file_errors: dict[str, str] = field(default_factory=dict)   # path -> why it was not read
    #: (tasks, limit) of its container just before it was killed at a timeout or at the
    #: budget's end; None when it was not (or the engine could not say).
    processes: tuple[int, int] | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "exited" and self.exit_code == 0

    @property
    def never_ran(self) -> bool:
        """The run did not start: the grading budget was already spent."""
        return self.outcome == "budget" and self.seconds == 0

    @property
    def at_process_limit(self) -> bool:
        """Its container held as many processes and threads as limits.pids allows when it
        was killed (a fork bomb, or threads never ended)."""
        return self.processes is not None and self.processes[0] >= self.processes[1]

    def describe(self) -> str:
        """One sentence for a report: how the run ended."""
        crowded = (f"; its container was at its process limit ({self.processes[0]} of "
                   f"{self.processes[1]} processes and threads, limits.pids) when it was "
                   "killed" if self.processes is not None and self.at_process_limit else "")
        if self.outcome == "timeout":
            return (f"timed out: killed after {self.limits.timeout_seconds:g} s (wall clock)"
                    + crowded)
        if self.outcome == "budget":
            return ("not run: the challenge's grading budget (grading_seconds) was spent"
                    if self.seconds == 0 else f"stopped after {self.seconds:.1f} s: the "
                    "challenge's grading budget (grading_seconds) ran out" + crowded)
        if self.outcome == "oom":
            return f"memory limit exceeded: killed at {self.limits.memory_mb} MiB"
        if self.outcome == "cancelled":
            return "cancelled: grading was interrupted"
        if self.outcome == "stopped":
            return f"stopped by grader after {self.seconds:.1f} s"
        if self.exit_code == 0:
            return f"exited with code 0 after {self.seconds:.1f} s"
        return f"exited with code {self.exit_code} after {self.seconds:.1f} s"

    def cause(self) -> str:
        """The likely cause of a failure, from the output: the last line naming an exception
        (stderr first, then stdout), else the last non-empty line of stderr; "" if none."""
        err, out = self.stderr.text(), self.stdout.text()
        for text in (err, out):
            line = last_exception_line(text)
            if line and _names_exception(line):
                return line
        return last_exception_line(err)

    def explain(self) -> str:
        """describe(), with the cause when the run did not succeed."""
        text = self.describe()
        if self.ok or self.outcome in ("timeout", "cancelled", "stopped", "budget"):
            return text
        cause = self.cause()
        if "No space left on device" in cause:
            cause += (f" (the sandbox's work folder holds {self.limits.work_mb} MiB and /tmp "
                      f"{self.limits.tmpfs_mb} MiB: limits.work_mb, limits.tmpfs_mb)")
        return f"{text}: {cause}" if cause else text

    def to_evidence(self) -> dict[str, object]:
        return {
            "outcome": self.outcome,
            "exit_code": self.exit_code,
            "seconds": round(self.seconds, 3),
            "stdout": self.stdout.text(),
            "stderr": self.stderr.text(),
            "stdout_bytes": self.stdout.total_bytes,
            "stderr_bytes": self.stderr.total_bytes,
            "output_truncated": self.stdout.truncated or self.stderr.truncated,
            "file_errors": dict(self.file_errors),
            **({"processes_when_killed": list(self.processes)} if self.processes else {}),
        }


@dataclass(frozen=True)
class Network:
    """An internal network: its members reach each other by alias and nothing else."""

    name: str
    id: str


class Service(abc.ABC):
    """A long-running container (a candidate's server) started with `Sandbox.start`."""

    alias: str

    @abc.abstractmethod
    def running(self) -> bool: ...

    @abc.abstractmethod
    def logs_tail(self, max_bytes: int = 16 * 1024) -> str: ...

    @abc.abstractmethod
    def restart(self) -> None: ...

    def processes(self) -> tuple[int, int] | None:
        """(tasks, limit): how many processes and threads the service's container holds now,
        and its limit (limits.pids); None when the engine cannot say."""
        return None

    def exec(self, command: list[str]) -> tuple[int, bytes] | None:
        """Run `command` (no shell) in the running container, as its user in its work dir:
        (exit code, output); None when the engine cannot (a check that needs it then falls
        back to weaker evidence, saying so)."""
        return None

    @abc.abstractmethod
    def stop(self) -> RunResult: ...


class Sandbox(abc.ABC):
    """A grading session's handle on the engine; `close()` removes everything it created."""

    @abc.abstractmethod
    def ensure_image(self, spec: BuildSpec) -> BuiltImage: ...

    @abc.abstractmethod
    def run(self, spec: RunSpec) -> RunResult: ...

    @abc.abstractmethod
    def start(self, spec: RunSpec) -> Service: ...

    @abc.abstractmethod
    def internal_network(self, name_hint: str = "net") -> Network: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    def seconds_left(self) -> float | None:
        """What is left of the grading budget (None: no budget). A run started now is cut
        when it runs out; a step that can end itself cleanly before that (the hidden test
        suite) is told how long it has."""
        return None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
