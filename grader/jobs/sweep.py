"""A worker's two background threads: the heartbeat of the jobs it grades, and the sweep
that keeps the queue whole when others die or the broker forgets.

Heartbeats: every GRADER_JOB_HEARTBEAT seconds the worker stamps `heartbeat_at` on each job
it holds. The sweep, every GRADER_JOB_SWEEP seconds, in every worker:
  1. jobs whose worker has not beaten for GRADER_JOB_STALE_AFTER are queued again (the try
     counted; failed after their last try: grader/jobs/queue.py `reclaim`) and their message
     sent again, so another worker takes them: a dead worker's job is graded again within
     STALE_AFTER + SWEEP of its last heartbeat;
  2. jobs left queued past GRADER_JOB_RESEND_AFTER (then 2x, 4x ... that) get their message
     sent again, in case the broker lost it (a restart without its append-only file).
A sweep judges other workers' heartbeats only once it has itself reached the database for
STALE_AFTER without a break: after a database outage, everyone's heartbeats are old, and the
workers that missed them are alive.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from grader.jobs import queue
from grader.jobs.config import JobTiming
from grader.jobs.patience import forget_connection, unreachable_errors

log = logging.getLogger("grader.jobs")
Send = Callable[[int, str], bool]


class Heartbeats:
    """The jobs one worker holds, beaten on by a thread of their own."""

    def __init__(self, alias: str, worker: str, every: float) -> None:
        self.alias = alias
        self.worker = worker
        self.every = every
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, job_id: int) -> None:
        with self._lock:
            self._held.add(job_id)

    def drop(self, job_id: int) -> None:
        with self._lock:
            self._held.discard(job_id)

    @property
    def held(self) -> list[int]:
        with self._lock:
            return sorted(self._held)

    def beat(self) -> int:
        """Stamp every held job now; how many were stamped."""
        held = self.held
        return queue.heartbeat(held, self.worker, using=self.alias) if held else 0

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.beat()
            except unreachable_errors():
                forget_connection(self.alias)       # the next beat reconnects
            except Exception:
                log.exception("grader: the heartbeat of %s failed", self.worker)

    def start(self) -> Heartbeats:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="grader-heartbeat",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)


class Sweeper:
    """Step 1 and 2 above, every `timing.sweep` seconds (or at once through `sweep()`)."""

    def __init__(self, alias: str, timing: JobTiming, send: Send,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.alias = alias
        self.timing = timing
        self.send = send
        self.clock = clock
        self._reachable_since: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sweep(self) -> dict[str, list[int]]:
        """One look: the ids queued again, failed after their last try, and sent again."""
        from grader.db.models import Job

        done: dict[str, list[int]] = {"queued": [], "failed": [], "resent": []}
        try:
            now = self.clock()
            if self._reachable_since is None:
                queue.counts(using=self.alias)      # is the database there at all?
                self._reachable_since = now
            if now - self._reachable_since >= self.timing.stale_after:
                for job_id, state in queue.reclaim(self.timing.stale, using=self.alias):
                    done["failed" if state == "failed" else "queued"].append(job_id)
            shas = dict(Job.objects.using(self.alias).filter(pk__in=done["queued"])
                        .values_list("id", "sha256")) if done["queued"] else {}
            due = [(job_id, shas[job_id]) for job_id in done["queued"] if job_id in shas]
            due += queue.overdue(self.timing.resend_after, self.timing.sweep,
                                 using=self.alias)
        except unreachable_errors() as exc:
            self._reachable_since = None
            forget_connection(self.alias)
            log.warning("grader: the sweep cannot reach the database (%s)",
                        str(exc).strip().splitlines()[0] if str(exc).strip() else exc)
            return done
        for job_id in done["queued"]:
            log.warning("grader: job %s: its worker stopped answering; queued again", job_id)
        for job_id in done["failed"]:
            log.error("grader: job %s: its worker stopped answering on its last try; failed "
                      "(not tried again)", job_id)
        for job_id, sha256 in due:
            if self.send(job_id, sha256):
                done["resent"].append(job_id)
        return done

    def _run(self) -> None:
        while not self._stop.wait(self.timing.sweep):
            try:
                self.sweep()
            except Exception:
                log.exception("grader: the sweep failed")

    def start(self) -> Sweeper:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="grader-sweep", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
