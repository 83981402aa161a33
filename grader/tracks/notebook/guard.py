"""The notebook runner's watch over the kernel (runs in the container, beside run_notebook.py).

The sandbox runs the runner and the kernel as the same uid with every capability dropped and
no-new-privileges: no setuid, no user namespace, so the kernel can signal the runner and write
wherever the runner writes. What keeps the runner in charge:

- `no_dump()`: the runner is non-dumpable (prctl PR_SET_DUMPABLE 0), so a process of the same
  uid cannot read its memory (/proc/<pid>/mem, ptrace, process_vm_readv all fail): the key
  that signs its record stays its own;
- `GuardedClient`: nbclient with the grader's own per-cell timeout. At the timeout the kernel
  is interrupted (SIGINT to its process group); a cell still running `grace` seconds later
  (it ignores or blocks SIGINT, forks faster than it can be stopped, or is stuck in a library
  call) is killed with every process it started and the run stops there: the kernel's state
  is gone. The same happens at the run's own deadline, so the runner always has time to write
  its record before the sandbox's wall clock. What the kernel looked like at the timeout
  (SIGINT ignored, blocked or handled; how many processes were alive) is kept as evidence;
- `kill_all()`: SIGKILL to every process but PID 1 and the runner, until none is left (a
  fork bomb included), before the runner writes anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import time
from typing import Any

from jupyter_core.utils import ensure_async
from nbclient import NotebookClient

PR_SET_DUMPABLE = 4
#: leftover processes after a cell at or above this are killed (and reported: a flood)
FLOOD = 64


class RunStopped(Exception):
    """The run stopped at a cell that had to be stopped (its index and why)."""

    def __init__(self, index: int, why: str) -> None:
        super().__init__(why)
        self.index = index


def no_dump() -> bool:
    """Make this process non-dumpable; True when it worked."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def processes(exclude: frozenset[int] = frozenset()) -> list[int]:
    """Live processes of the container (its PID namespace) but PID 1, this one and
    `exclude`; zombies are not counted."""
    me, found = os.getpid(), []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in (1, me) or int(name) in exclude:
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[-1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in (b"Z", b"X"):
            found.append(int(name))
    return found


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_all(rounds: int = 100) -> int:
    """SIGKILL every process but PID 1 and this one until none is left; the most seen."""
    most = 0
    for _ in range(rounds):
        left = processes()
        most = max(most, len(left))
        if not left:
            break
        with contextlib.suppress(OSError):
            os.kill(-1, signal.SIGKILL)
        _reap()
        time.sleep(0.02)
    _reap()
    return most


def sigint_state(pid: int | None) -> str:
    """How process `pid` treats SIGINT: ignored, blocked, handled, default (or unknown)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            lines = f.read().splitlines()
    except (OSError, TypeError):
        return "unknown"
    masks = {}
    for line in lines:
        name, _, value = line.partition(":")
        if name in ("SigBlk", "SigIgn", "SigCgt"):
            masks[name] = int(value.strip() or "0", 16)
    bit = 1 << (signal.SIGINT - 1)
    for name, state in (("SigIgn", "ignored"), ("SigBlk", "blocked"), ("SigCgt", "handled")):
        if masks.get(name, 0) & bit:
            return state
    return "default" if masks else "unknown"


class GuardedClient(NotebookClient):
    """nbclient with the grader's own per-cell timeout, interrupt grace and run deadline."""

    def __init__(self, nb: Any, cell_timeout: float, grace: float, deadline: float,
                 **kwargs: Any) -> None:
        left = max(deadline - time.monotonic(), 1.0)
        super().__init__(nb, timeout=None, kernel_name="python3", allow_errors=True,
                         record_timing=True, shutdown_kernel="immediate",
                         startup_timeout=int(max(min(60.0, left / 2), 1)), **kwargs)
        self.cell_timeout, self.grace, self.deadline = cell_timeout, grace, deadline
        self.started: set[int] = set()                 # cells the runner sent to the kernel
        self.stops: dict[int, dict[str, Any]] = {}      # index -> how it was stopped
        self.leftovers: dict[int, int] = {}             # index -> processes it left running

    def kernel_pid(self) -> int | None:
        pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
        return pid if isinstance(pid, int) else None

    def run(self) -> tuple[bool, str]:
        """(every cell ran, why not)."""
        from nbclient.exceptions import DeadKernelError

        try:
            self.execute()
            return True, ""
        except RunStopped as exc:
            return False, str(exc)
        except DeadKernelError as exc:
            return False, f"the kernel died (memory limit?): {exc}"
        except Exception as exc:  # the kernel did not start, a broken notebook, ...
            return False, f"{type(exc).__name__}: {exc}"

    async def async_execute_cell(self, cell: Any, cell_index: int,
                                 execution_count: int | None = None,
                                 store_history: bool = True) -> Any:
        run = super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if cell.get("cell_type") != "code" or not str(cell.get("source", "")).strip():
            return await run
        self.started.add(cell_index)
        left = self.deadline - time.monotonic()
        if left <= 0:
            run.close()
            raise RunStopped(cell_index, "the notebook's total time ran out before this cell")
        limit = min(self.cell_timeout, left)
        task = asyncio.ensure_future(run)
        done, _ = await asyncio.wait({task}, timeout=limit)
        if not done:
            await self._stop(task, cell_index, "deadline" if limit < self.cell_timeout
                             else "cell-timeout")
        result = task.result()
        pid = self.kernel_pid()
        left_running = processes(frozenset({pid} if pid else ()))
        if left_running:
            self.leftovers[cell_index] = len(left_running)
        if len(left_running) >= FLOOD:
            for other in left_running:
                with contextlib.suppress(OSError):
                    os.kill(other, signal.SIGKILL)
            _reap()
        return result

    async def _stop(self, task: asyncio.Future[Any], index: int, why: str) -> None:
        """Interrupt the kernel; kill it (and everything else) when the cell is still running
        `grace` seconds later. Stops the run (RunStopped) but after a cell interrupted at its
        own timeout."""
        pid = self.kernel_pid()
        stop: dict[str, Any] = {"why": why, "sigint": sigint_state(pid),
                                "processes": len(processes(frozenset({pid} if pid else ())))}
        self.stops[index] = stop
        with contextlib.suppress(Exception):  # a kernel that is gone cannot be interrupted
            if self.km is not None:
                await ensure_async(self.km.interrupt_kernel())
        done, _ = await asyncio.wait({task}, timeout=self.grace)
        if done:
            stop["how"] = "interrupted"
            if why == "deadline":
                raise RunStopped(index, "the notebook's total time ran out")
            return
        stop["how"] = "killed"
        stop["processes"] = max(stop["processes"], kill_all() - 1)
        task.cancel()
        with contextlib.suppress(BaseException):  # cancelled, or "kernel died": killed on purpose
            await task
        raise RunStopped(index, "the notebook's total time ran out" if why == "deadline"
                         else f"a cell ran past {self.cell_timeout:g} s and did not stop "
                         f"within {self.grace:g} s of the interrupt: the kernel was killed")
