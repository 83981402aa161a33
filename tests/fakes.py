"""A fake of the sandbox engine for unit tests of the tracks: one-shot runs only (each test
module says what a run leaves by defining `run`), images taken as already built, no service or
network. Integration tests use the real Docker engine; these sit beside them."""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.sandbox.capture import CapturedOutput
from grader.sandbox.engine import (
    BuildSpec,
    BuiltImage,
    Network,
    Outcome,
    RunResult,
    RunSpec,
    Sandbox,
    Service,
)
from grader.sandbox.limits import Limits


def run_result(files: dict[str, bytes] | None = None, outcome: Outcome = "exited",
               seconds: float = 1.0) -> RunResult:
    """A run that ended as `outcome` with no output, leaving `files`."""
    empty = CapturedOutput(b"", b"", 0)
    return RunResult(outcome=outcome, exit_code=0, seconds=seconds, stdout=empty,
                     stderr=empty, limits=Limits(), files=files or {})


@dataclass
class FakeService(Service):
    """A server that is always up, logs `log`, and whose container holds `counts[i]` tasks at
    the i-th look (the last one repeats; None: the engine cannot say) of `limit`."""

    log: str = ""
    counts: list[int | None] = field(default_factory=lambda: [3])
    limit: int = 256
    samples: int = 0
    alias: str = "app"

    def running(self) -> bool:
        return True

    def logs_tail(self, max_bytes: int = 16 * 1024) -> str:
        return self.log

    def restart(self) -> None:
        pass

    def stop(self) -> RunResult:
        return run_result()

    def processes(self) -> tuple[int, int] | None:
        count = self.counts[min(self.samples, len(self.counts) - 1)]
        self.samples += 1
        return None if count is None else (count, self.limit)


class OneShotSandbox(Sandbox):
    """Subclasses define `run(spec)`."""

    def ensure_image(self, spec: BuildSpec) -> BuiltImage:
        return BuiltImage(tag="fake:1", id="sha256:fake", content_hash="x", built=False,
                          seconds=0)

    def start(self, spec: RunSpec) -> Service:
        raise NotImplementedError("this fake runs one-shot containers only")

    def internal_network(self, name_hint: str = "net") -> Network:
        raise NotImplementedError("this fake runs one-shot containers only")

    def close(self) -> None:
        pass
