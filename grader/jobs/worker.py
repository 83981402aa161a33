"""`grader worker`: a Celery worker on a Docker host, grading with that host's engine.

Starting, in order: the broker URL, the store (migrated) and the Docker engine must answer
(else exit 3, saying which); the broker is pinged for the workers alive, and one already
answering to this worker's name refuses the start (exit 2); the containers, volumes and
networks dead workers left on this engine are removed (grader/jobs/cleanup.py); the jobs a
previous worker of this name was grading when it died are queued again (their try counted);
then the heartbeat and sweep threads (grader/jobs/sweep.py) and Celery's consumer, with a
pool of `concurrency` threads (grading is Docker calls and host-side parsing: threads, like
`grader run --jobs`).

A message names a job; the thread claims that job in the store (nothing happens when it is
not queued any more: graded, failed, or taken by another worker), grades it
(grader/jobs/runner.py) and returns; only then is the message acknowledged. A job handed
back (the worker stopping, an environment failure with tries left) gets a new message.

Stopping (SIGTERM, Ctrl-C): no new job is taken, the gradings in progress are stopped, their
containers removed and their jobs queued again with the try not counted (and a new message);
then the CLI exits 130 like every verb. A worker killed outright (SIGKILL) leaves its job to
the sweep of the others (GRADER_JOB_STALE_AFTER + GRADER_JOB_SWEEP) and its containers to the
next worker started on the host.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grader.errors import EXIT_REJECTED, EnvironmentProblem, GraderError
from grader.jobs.celery_app import TASK, app_for, send
from grader.jobs.config import JobTiming, broker_url
from grader.jobs.patience import patiently
from grader.settings import Settings
from grader.store import Store

if TYPE_CHECKING:       # the models need Django set up: imported once it is (_open_store)
    from grader.jobs.sweep import Heartbeats

log = logging.getLogger("grader.jobs")
_RUNTIME: list[WorkerRuntime] = []
_RUNTIME_LOCK = threading.Lock()


class NameTaken(GraderError):
    """A live worker already answers to the name this one was to take."""

    exit_code = EXIT_REJECTED


def node_name(name: str | None) -> str:
    """The worker's node name: `NAME@host` (default `grader-<pid>@host`)."""
    base = (name or f"grader-{os.getpid()}").strip()
    return base if "@" in base else f"{base}@{socket.gethostname()}"


@dataclass
class WorkerRuntime:
    """What the task needs in a worker process: the store, the settings, the heartbeats."""

    store: Store
    node: str
    timing: JobTiming
    settings: Settings
    app: Any
    beats: Heartbeats

    def send(self, job_id: int, sha256: str) -> bool:
        return send(self.app, job_id, sha256)

    def run(self, job_id: int, sha256: str) -> str:
        """Claim and grade job `job_id` (the task's body); the state it is left in."""
        from grader.jobs import queue
        from grader.jobs.runner import grade_job

        worker = self.node
        alias = self.store.alias
        patience = self.timing.db_patience
        job = patiently(lambda: queue.claim(worker, using=alias, job_id=job_id), alias,
                        patience, "taking a job")
        if job is None:
            self._skipped(job_id)
            return "skipped"
        if job.sha256 != sha256:
            log.error("grader: job %s holds %s, but its message names %s: is this worker's "
                      "GRADER_DATABASE_URL the one the job was queued in? given back", job_id,
                      job.sha256[:12], sha256[:12])
            patiently(lambda: queue.release(job_id, worker, using=alias), alias, patience)
            return "mismatch"
        self.beats.hold(job.pk)
        try:
            result = grade_job(job, worker, self.store, self.settings, patience)
        except KeyboardInterrupt:       # stopping: grade_job gave the job back
            self.send(job.pk, job.sha256)
            return "released"
        finally:
            self.beats.drop(job.pk)
        log.info("grader: job %s %s%s", result.job_id, result.state,
                 f" ({result.submission_id})" if result.submission_id else "")
        if result.state == "queued":   # an environment failure with tries left
            self.send(job.pk, job.sha256)
        return result.state

    def _skipped(self, job_id: int) -> None:
        from grader.db.models import Job

        row = Job.objects.using(self.store.alias).filter(pk=job_id).values_list(
            "state", "worker").first()
        if row is None:
            log.error("grader: job %s is not in this store (%s): is this worker's "
                      "GRADER_DATABASE_URL the one the job was queued in?", job_id,
                      self.store.describe())
        else:
            log.info("grader: job %s is %s%s: nothing to do", job_id, row[0],
                     f" by {row[1]}" if row[0] == "grading" else "")


def register(app: Any) -> Any:
    """Give `app` grader's task (once); the app."""
    if TASK not in app.tasks:
        app.task(name=TASK, bind=True, acks_late=True, ignore_result=True)(_grade)
    return app


def _grade(task: Any, job_id: int, sha256: str) -> str:
    """The task: grade job `job_id` if it is still queued (the row decides)."""
    return runtime(task.app).run(int(job_id), str(sha256))


def __getattr__(name: str) -> Any:
    """`app`: what Celery's command line finds with `-A grader.jobs.worker` (the broker
    GRADER_BROKER_URL names, with grader's task)."""
    if name == "app":
        return register(app_for(broker_url() or "redis://localhost:6379/0"))
    raise AttributeError(name)


def runtime(app: Any) -> WorkerRuntime:
    """The runtime `grader worker` installed, or one made from the environment (a plain
    `celery -A grader.jobs.celery_app worker` then grades too, without the start-up cleanup
    and the sweep)."""
    with _RUNTIME_LOCK:
        if not _RUNTIME:
            store = _open_store()
            from grader.jobs.sweep import Heartbeats

            node = node_name(None)
            timing = JobTiming.from_env()
            beats = Heartbeats(store.alias, node, timing.heartbeat).start()
            _RUNTIME.append(WorkerRuntime(store, node, timing, Settings.from_env(), app,
                                          beats))
        return _RUNTIME[0]


def _open_store() -> Store:
    from grader.db.connection import ensure_django
    from grader.store import store_errors

    ensure_django()
    try:
        return Store(alias="default")       # GRADER_DATABASE_URL, else the GRADER_STORE file
    except store_errors() as exc:
        raise EnvironmentProblem(f"the store cannot be opened: {exc}",
                                 fix="check GRADER_DATABASE_URL (or GRADER_STORE)") from None


def alive_workers(app: Any, echo: Callable[[str], None], timeout: float = 2.0) -> set[str]:
    """The node names answering a ping through the broker; waits for the broker to answer
    (saying so every 15 s)."""
    waited = 0
    while True:
        try:
            replies = app.control.ping(timeout=timeout) or []
            return {name for reply in replies for name in reply}
        except Exception as exc:    # the broker is not there (yet)
            if waited % 15 == 0:
                echo(f"grader: waiting for the broker {_sanitized(app)} "
                     f"({type(exc).__name__}: {exc})")
            time.sleep(1)
            waited += 1


def prepare(name: str | None, echo: Callable[[str], None]) -> tuple[Any, WorkerRuntime]:
    """Everything before Celery's consumer starts (see the module's docstring)."""
    from grader.sandbox.client import connect

    url = broker_url()
    if not url:
        raise EnvironmentProblem(
            "grader worker takes its jobs from a broker, and GRADER_BROKER_URL is not set",
            fix="set GRADER_BROKER_URL=redis://HOST:6379/0 (docs/deploy.md); without a "
                "broker, `grader serve` and `grader run --queue` grade in their own process")
    timing = JobTiming.from_env()
    store = _open_store()
    from grader.db.models import Job
    from grader.jobs import queue
    from grader.jobs.cleanup import deployment, fresh_workers, remove_dead, worker_label
    from grader.jobs.sweep import Heartbeats

    node = node_name(name)
    client = connect(timeout=60)            # EnvironmentProblem (exit 3) when it is not there
    app = register(app_for(url))
    alive = alive_workers(app, echo)
    if node in alive:
        raise NameTaken(f"a worker named {node} already answers on this broker: give this "
                        "one another --name")
    here = deployment(url, store.describe())
    os.environ["GRADER_WORKER"] = worker_label(node, here)  # labels what its gradings make
    try:
        fresh = fresh_workers(store.alias, timing.stale)
        for dead, removed in remove_dead(client, alive, fresh, node, here).items():
            echo(f"grader: worker {dead} is gone: {removed.summary()} on this engine")
    finally:
        client.close()
    beats = Heartbeats(store.alias, node, timing.heartbeat)
    rt = WorkerRuntime(store, node, timing, Settings.from_env(), app, beats)
    for job_id, state in queue.reclaim(timing.stale, using=store.alias, worker=node):
        echo(f"grader: job {job_id}, left grading by the previous {node}: {state}")
        if state == "queued":
            sha = Job.objects.using(store.alias).values_list("sha256", flat=True).get(pk=job_id)
            rt.send(job_id, sha)
    with _RUNTIME_LOCK:
        _RUNTIME[:] = [rt]
    return app, rt


def run_worker(name: str | None, concurrency: int, events: bool,
               echo: Callable[[str], None], loglevel: str = "INFO") -> None:
    """`grader worker`: prepare, then consume until stopped; raises KeyboardInterrupt after a
    stop by signal (the CLI removes what is left of this process and exits 130)."""
    from celery import signals

    from grader.jobs.sweep import Sweeper
    from grader.sandbox.lifecycle import CANCEL

    app, rt = prepare(name, echo)
    stopped: list[str] = []

    def shutting_down(sig: str = "", how: str = "", **_: Any) -> None:
        stopped.append(f"{how} shutdown on {sig}".strip())
        CANCEL.set()        # the gradings in progress stop; their jobs are handed back

    signals.worker_shutting_down.connect(shutting_down, weak=False)
    signals.after_setup_logger.connect(_one_log_line, weak=False)
    sweeper = Sweeper(rt.store.alias, rt.timing, rt.send).start()
    rt.beats.start()
    echo(f"grader: worker {rt.node}: {concurrency} grading thread(s), broker "
         f"{_sanitized(app)}, store {rt.store.describe()}; a dead worker's job is taken "
         f"again within {rt.timing.takeover_seconds:g} s")
    worker = app.Worker(hostname=rt.node, pool_cls="threads", concurrency=concurrency,
                        loglevel=loglevel, without_mingle=True, without_gossip=True,
                        task_events=events, quiet=True, redirect_stdouts=False)
    try:
        worker.start()
    finally:
        sweeper.stop()
        rt.beats.stop()
        signals.worker_shutting_down.disconnect(shutting_down)
        from django.db import connections

        connections.close_all()
    if stopped:
        echo(f"grader: worker {rt.node} stopped ({stopped[0]})")
        raise KeyboardInterrupt
    if worker.exitcode:
        raise EnvironmentProblem(f"the Celery worker exited with code {worker.exitcode}",
                                 fix="see its log above")


def _one_log_line(**_: Any) -> None:
    """Celery's handler (on the root logger, with timestamps) prints grader's records from now
    on: the plain one the web settings give grader.jobs would print each of them twice."""
    jobs_log = logging.getLogger("grader.jobs")
    for handler in list(jobs_log.handlers):
        jobs_log.removeHandler(handler)


def _sanitized(app: Any) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return str(maybe_sanitize_url(app.conf.broker_url))
