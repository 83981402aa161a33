"""The embedded worker pool: threads in the web service's process (or any process) that take
queued jobs from the database (grader/jobs/queue.py), grade them (runner.py), and keep their
heartbeats fresh. The default transport: a single machine needs nothing else (no broker).

Each pool has a name (`<host>-<pid>` unless given); each of its threads is a worker
`<name>/<n>`. One thread also looks, every `reclaim_every`, for jobs whose worker stopped
answering (a process killed mid-grading) and queues them again. `wake()` makes idle threads
look at once (an enqueue in the same process calls it); otherwise they poll every `poll`
seconds. `stop()` lets the gradings in progress finish unless `cancel` is set, in which case
the sandbox's cancel flag stops them and their jobs go back to the queue.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable

from grader.jobs import queue
from grader.jobs.runner import JobResult, grade_job
from grader.settings import Settings
from grader.store import Store

log = logging.getLogger("grader.jobs")
_POOLS: list[EmbeddedPool] = []


def wake_all() -> None:
    """Tell every pool of this process that a job was queued."""
    for pool in list(_POOLS):
        pool.wake()


class EmbeddedPool:
    def __init__(self, store: Store, size: int = 1, name: str | None = None,
                 poll: float = 2.0, heartbeat: float = 10.0,
                 stale_after: dt.timedelta = dt.timedelta(minutes=2),
                 reclaim_every: float = 30.0, settings: Settings | None = None,
                 on_result: Callable[[JobResult], None] | None = None) -> None:
        if size < 1:
            raise ValueError("a pool needs at least one worker thread")
        self.store = store
        self.size = size
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.poll = poll
        self.heartbeat_every = heartbeat
        self.stale_after = stale_after
        self.reclaim_every = reclaim_every
        self.settings = settings or Settings.from_env()
        self.on_result = on_result
        self._stop = threading.Event()
        self._wake = threading.Condition()
        self._signalled = False
        self._threads: list[threading.Thread] = []
        self._holding: dict[str, int] = {}         # worker -> job id it grades
        self._lock = threading.Lock()

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> EmbeddedPool:
        self._stop.clear()
        queue.reclaim_stale(self.stale_after, using=self.store.alias)
        for n in range(self.size):
            thread = threading.Thread(target=self._work, args=(f"{self.name}/{n + 1}", n == 0),
                                      name=f"grader-worker-{n + 1}", daemon=True)
            thread.start()
            self._threads.append(thread)
        beat = threading.Thread(target=self._beat, name="grader-heartbeat", daemon=True)
        beat.start()
        self._threads.append(beat)
        _POOLS.append(self)
        return self

    def stop(self, cancel: bool = False, timeout: float | None = None) -> None:
        """Stop taking jobs; wait for the threads (gradings in progress end first unless
        `cancel`: then they are stopped and their jobs queued again)."""
        self._stop.set()
        if cancel:
            from grader.sandbox.lifecycle import CANCEL

            CANCEL.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout)
        if self in _POOLS:
            _POOLS.remove(self)
        from django.db import connections

        connections.close_all()

    def wake(self) -> None:
        with self._wake:
            self._signalled = True
            self._wake.notify_all()

    @property
    def busy(self) -> dict[str, int]:
        """worker -> the job it is grading now."""
        with self._lock:
            return dict(self._holding)

    # -- threads ------------------------------------------------------------------------------
    def _idle(self, seconds: float) -> None:
        with self._wake:
            if not self._signalled and not self._stop.is_set():
                self._wake.wait(seconds)
            self._signalled = False

    def _work(self, worker: str, reclaims: bool) -> None:
        from django.db import connections

        last_reclaim = 0.0
        while not self._stop.is_set():
            try:
                if reclaims and time.monotonic() - last_reclaim >= self.reclaim_every:
                    last_reclaim = time.monotonic()
                    for job_id in queue.reclaim_stale(self.stale_after, using=self.store.alias):
                        log.warning("grader: job %s: its worker stopped answering; queued "
                                    "again or failed", job_id)
                job = queue.claim(worker, using=self.store.alias)
                if job is None:
                    connections.close_all()     # idle: hold no connection
                    self._idle(self.poll)
                    continue
                with self._lock:
                    self._holding[worker] = job.pk
                try:
                    result = grade_job(job, worker, self.store, self.settings)
                finally:
                    with self._lock:
                        self._holding.pop(worker, None)
                log.info("grader: job %s %s%s", result.job_id, result.state,
                         f" ({result.submission_id})" if result.submission_id else "")
                if self.on_result is not None:
                    self.on_result(result)
            except KeyboardInterrupt:       # cancelled: the job went back to the queue
                return
            except Exception:               # the database went away: wait, try again
                log.exception("grader: worker %s: the queue is not reachable", worker)
                connections.close_all()
                self._stop.wait(self.poll * 5)

    def _beat(self) -> None:
        from django.db import connections

        while not self._stop.wait(self.heartbeat_every):
            held = self.busy
            if not held:
                continue
            for worker, job_id in held.items():
                try:
                    queue.heartbeat([job_id], worker, using=self.store.alias)
                except Exception:
                    log.exception("grader: heartbeat of job %s failed", job_id)
            connections.close_all()
