"""What `grader queue` shows, and what a monitoring probe reads (`grader queue --json`): the
queue's depth and the age of its oldest job, per worker the jobs it grades now (stage, for
how long, its last heartbeat) and what it graded and failed in the last 24 hours, the jobs
waiting, the recent failures with the first line of their error, and, with a broker, the
messages waiting in it and the workers answering its ping (Celery's own `control.ping`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from grader.store import Store

DAY = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Running:
    job_id: int
    stage: str
    what: str
    seconds: float              # since it was taken
    heartbeat_age: float        # since its last heartbeat


@dataclass
class WorkerView:
    name: str
    grading: list[Running] = field(default_factory=list)
    graded_24h: int = 0
    failed_24h: int = 0
    answering: bool | None = None       # None: no broker to ask


@dataclass(frozen=True)
class Waiting:
    job_id: int
    what: str
    seconds: float
    attempts: int


@dataclass(frozen=True)
class Failure:
    job_id: int
    what: str
    worker: str
    finished_at: str
    attempts: int
    error: str                  # its first line


@dataclass
class Snapshot:
    counts: dict[str, int]
    oldest_queued_seconds: float
    workers: list[WorkerView]
    queued: list[Waiting]
    failed: list[Failure]
    broker: str = ""                    # sanitised URL; "" with the embedded pool
    broker_depth: int | None = None     # messages waiting in the broker
    broker_error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _what(upload_name: str | None, regrade_of: str | None, sha256: str) -> str:
    if upload_name:
        return upload_name
    if regrade_of:
        return f"regrade of {regrade_of}"
    return sha256[:12]


def snapshot(store: Store, limit: int = 10, now: dt.datetime | None = None) -> Snapshot:
    """The queue as the store has it (no broker asked: see `ask_broker`)."""
    from django.db.models import Count

    from grader.db.models import Job, JobState
    from grader.jobs import queue

    now = now or dt.datetime.now(dt.UTC)
    jobs = Job.objects.using(store.alias)
    fields = ("id", "upload__filename", "regrade_of_id", "sha256")
    workers: dict[str, WorkerView] = {}
    for row in jobs.filter(state=JobState.GRADING).order_by("started_at").values_list(
            *fields, "worker", "stage", "started_at", "heartbeat_at"):
        view = workers.setdefault(row[4], WorkerView(row[4]))
        view.grading.append(Running(row[0], row[5], _what(row[1], row[2], row[3]),
                                    _age(now, row[6]), _age(now, row[7])))
    recent = jobs.filter(state__in=(JobState.GRADED, JobState.FAILED),
                         finished_at__gte=now - DAY).exclude(worker="")
    for name, state, n in recent.order_by().values_list("worker", "state").annotate(
            n=Count("id")):
        view = workers.setdefault(name, WorkerView(name))
        if state == JobState.GRADED:
            view.graded_24h = n
        else:
            view.failed_24h = n
    waiting = jobs.filter(state=JobState.QUEUED).order_by("queued_at", "id")
    queued = [Waiting(r[0], _what(r[1], r[2], r[3]), _age(now, r[4]), r[5])
              for r in waiting.values_list(*fields, "queued_at", "attempts")[:limit]]
    failed = [Failure(r[0], _what(r[1], r[2], r[3]), r[4],
                      f"{r[5]:%Y-%m-%d %H:%M:%S}" if r[5] else "", r[6],
                      (r[7] or "").strip().splitlines()[0][:200] if (r[7] or "").strip()
                      else "")
              for r in jobs.filter(state=JobState.FAILED).order_by("-finished_at", "-id")
              .values_list(*fields, "worker", "finished_at", "attempts", "error")[:limit]]
    return Snapshot(counts=queue.counts(using=store.alias),
                    oldest_queued_seconds=queued[0].seconds if queued else 0.0,
                    workers=sorted(workers.values(), key=lambda w: w.name),
                    queued=queued, failed=failed)


def _age(now: dt.datetime, then: dt.datetime | None) -> float:
    return round(max(0.0, (now - then).total_seconds()), 1) if then is not None else 0.0


def ask_broker(found: Snapshot, app: Any, url: str, timeout: float = 1.5) -> Snapshot:
    """Add the broker's view: messages waiting, and which workers answer a ping (a worker
    that answers and grades nothing is listed too)."""
    from kombu.utils.url import maybe_sanitize_url

    from grader.jobs.celery_app import QUEUE

    found.broker = str(maybe_sanitize_url(url))
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1)
            try:
                found.broker_depth = int(conn.default_channel.queue_declare(
                    queue=QUEUE, passive=True).message_count)
            except Exception:       # no worker declared the queue yet: nothing in it
                found.broker_depth = 0
        replies = app.control.ping(timeout=timeout) or []
    except Exception as exc:
        found.broker_error = f"{type(exc).__name__}: {exc}"
        return found
    alive = {name for reply in replies for name in reply}
    known = {w.name for w in found.workers}
    for view in found.workers:
        view.answering = view.name in alive
    found.workers += [WorkerView(name, answering=True) for name in sorted(alive - known)]
    found.workers.sort(key=lambda w: w.name)
    return found


def duration(seconds: float) -> str:
    """3 s, 2 min 5 s, 1 h 4 min."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"
