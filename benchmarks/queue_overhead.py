"""Prints what the job queue itself costs, with a fake grading (no Docker; see
benchmarks/queue_services.py): the milliseconds from enqueue to graded for one job at a time
through the embedded pool (on SQLite and on PostgreSQL) and through Celery + Redis +
PostgreSQL with one `grader worker`; then the throughput of the queue and store path for
1,000 fake jobs with 1, 2 and 4 worker processes (each `--concurrency 1`), and the embedded
pool's single thread on the same database for reference. The jobs of a throughput run are
enqueued while the workers are held (Celery's remote control: cancel_consumer), then the
workers are released (add_consumer) and timed until the last job is graded, so the figure
is the workers' rate and not the rate of the one process enqueueing (printed beside it).

    .venv/bin/python benchmarks/queue_overhead.py [--jobs 1000] [--latency-jobs 50]
                                                  [--workers 1 2 4]

Needs scripts/ensure-services.sh (Debian's redis-server and PostgreSQL, started on
loopback: this script runs it) and a Docker engine answering (a `grader worker` checks for
one at start; the fake grading never uses it). Each run gets its own PostgreSQL database
(dropped after) and an empty Redis database number (flushed after). Figures only; no test
asserts a time. docs/deploy.md keeps the figures of one run and what they mean.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _setup_django(database: str) -> None:
    os.environ["GRADER_DATABASE_URL"] = database
    os.environ.pop("GRADER_BROKER_URL", None)
    from grader.db.connection import ensure_django

    ensure_django()


def _wait_state(alias: str, job_id: int, timeout: float = 60.0) -> str:
    from grader.db.models import Job

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = Job.objects.using(alias).values_list("state", flat=True).get(pk=job_id)
        if state in ("graded", "failed"):
            return str(state)
        time.sleep(0.002)
    raise SystemExit(f"job {job_id} not finished within {timeout:g} s")


def _wait_all(alias: str, count: int, timeout: float = 1800.0) -> None:
    from grader.jobs import queue

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = queue.counts(using=alias)
        if counts["graded"] + counts["failed"] >= count:
            if counts["failed"]:
                raise SystemExit(f"{counts['failed']} fake job(s) failed: see the workers' logs")
            return
        time.sleep(0.05)
    raise SystemExit(f"{count} jobs not finished within {timeout:g} s")


def latencies(queue: Any, alias: str, count: int, warmup: int = 5) -> list[float]:
    """Milliseconds from the enqueue call to the job seen graded, one job at a time."""
    from benchmarks.queue_services import fake_uploads

    uploads = fake_uploads(alias, count + warmup)
    samples = []
    for n, upload_id in enumerate(uploads):
        started = time.perf_counter()
        job_id = queue.enqueue_upload(upload_id)
        if _wait_state(alias, job_id) != "graded":
            raise SystemExit(f"fake job {job_id} failed")
        if n >= warmup:
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def throughput(enqueue: Callable[[int], int], alias: str, count: int,
               hold: Callable[[], None], release: Callable[[], None]
               ) -> tuple[float, float, str]:
    """(jobs per second the workers grade `count` fresh fake jobs already queued, jobs per
    second one process enqueues them): the workers are held (`hold`) while the jobs are
    enqueued, then released, so the first figure is the workers' and not the enqueuer's."""
    from benchmarks.queue_services import fake_uploads
    from grader.jobs import queue

    uploads = fake_uploads(alias, count)
    before = queue.counts(using=alias)
    done_before = before["graded"] + before["failed"]
    hold()
    started = time.perf_counter()
    for upload_id in uploads:
        enqueue(upload_id)
    enqueue_rate = count / (time.perf_counter() - started)
    started = time.perf_counter()
    release()
    _wait_all(alias, done_before + count)
    rate = count / (time.perf_counter() - started)
    return rate, enqueue_rate, _split(alias, uploads)


def _split(alias: str, uploads: list[int]) -> str:
    """Where a worker's time per job went, from the jobs' own timestamps: between its claim
    and its graded mark (the fake grading and the queue's writes around it), and between one
    job graded and the next claimed by the same worker (the transport: message, ack, wait)."""
    from grader.db.models import Job

    rows = Job.objects.using(alias).filter(upload_id__in=uploads).values_list(
        "worker", "started_at", "finished_at")
    per: dict[str, list[tuple[Any, Any]]] = {}
    for worker, started, finished in rows:
        per.setdefault(worker, []).append((started, finished))
    inside, between = [], []
    for spans in per.values():
        spans.sort()
        inside += [(f - s).total_seconds() * 1000 for s, f in spans]
        between += [(b[0] - a[1]).total_seconds() * 1000
                    for a, b in itertools.pairwise(spans)]
    if not inside or not between:
        return ""
    return (f"\n      per job and worker: {statistics.median(inside):.1f} ms claimed to graded, "
            f"{statistics.median(between):.1f} ms graded to the next claimed (medians)")


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"median {statistics.median(samples):6.1f} ms, p90 {p90:6.1f} ms"


def embedded(store: Any, count: int) -> list[float]:
    import grader.jobs.pool as pool_module
    from benchmarks.queue_services import fake_grade_job
    from grader.jobs.interface import EmbeddedQueue
    from grader.jobs.pool import EmbeddedPool

    pool_module.grade_job = fake_grade_job  # type: ignore[assignment]
    pool = EmbeddedPool(store, size=1, name="bench-embedded").start()
    try:
        return latencies(EmbeddedQueue(store), store.alias, count)
    finally:
        pool.stop(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000, help="fake jobs per throughput run")
    parser.add_argument("--latency-jobs", type=int, default=50)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()

    from benchmarks.queue_services import (
        Workers,
        commit_ms,
        empty_redis_db,
        fresh_database,
        services,
        worker_env,
    )

    found = services()
    logs = Path(tempfile.mkdtemp(prefix="grader-bench-queue-"))
    print(f"queue overhead, fake grading; {os.cpu_count()} CPUs; worker logs in {logs}")
    with fresh_database(found.postgres, "overhead") as database, \
            empty_redis_db(found.redis) as broker:
        _setup_django(database)
        logging.getLogger("grader.jobs").setLevel(logging.WARNING)    # not a line per job
        print(f"a durable one-row commit on this PostgreSQL: median {commit_ms(database):.1f} ms")
        from grader.store import Store

        pg = Store(url=database)
        lite = Store(path=logs / "embedded.db")

        print("\nenqueue -> graded, one job at a time "
              f"({args.latency_jobs} jobs after 5 warm-up):")
        lite_ms = embedded(lite, args.latency_jobs)
        print(f"  embedded pool, SQLite              {_ms(lite_ms)}")
        pg_ms = embedded(pg, args.latency_jobs)
        print(f"  embedded pool, PostgreSQL          {_ms(pg_ms)}")

        from grader.jobs.transport import CeleryQueue

        celery_queue = CeleryQueue(pg, url=broker)
        workers = Workers(worker_env(broker, database), "bench-overhead", logs)
        try:
            workers.start(1, fake=True)
            celery_ms = latencies(celery_queue, pg.alias, args.latency_jobs)
        finally:
            workers.stop()
        print(f"  Celery + Redis + PostgreSQL, 1 worker {_ms(celery_ms)}")
        extra = statistics.median(celery_ms) - statistics.median(pg_ms)
        print(f"  the broker's own cost: {extra:+.1f} ms per job (median, against the "
              "embedded pool on the same PostgreSQL)")

        print(f"\nthroughput of the queue and store path, {args.jobs} fake jobs queued while "
              "the workers were held, then released (and how fast one process enqueues):")
        import grader.jobs.pool as pool_module
        from benchmarks.queue_services import fake_grade_job
        from grader.jobs.interface import EmbeddedQueue
        from grader.jobs.pool import EmbeddedPool

        pool_module.grade_job = fake_grade_job  # type: ignore[assignment]
        pools: list[EmbeddedPool] = []
        try:
            rate, enqueue_rate, split = throughput(
                EmbeddedQueue(pg).enqueue_upload, pg.alias, args.jobs, hold=lambda: None,
                release=lambda: pools.append(EmbeddedPool(pg, size=1, name="bench-tp").start()))
        finally:
            for pool in pools:
                pool.stop(timeout=30)
        print(f"  embedded pool, 1 thread, PostgreSQL    {rate:7.1f} jobs/s "
              f"(enqueueing: {enqueue_rate:.0f} jobs/s){split}")
        for count in args.workers:
            workers = Workers(worker_env(broker, database), f"bench-tp{count}", logs)
            try:
                workers.start(count, fake=True)
                rate, enqueue_rate, split = throughput(celery_queue.enqueue_upload, pg.alias,
                                                args.jobs, workers.pause, workers.resume)
            finally:
                workers.stop()
            print(f"  Celery, {count} worker process(es)        {rate:7.1f} jobs/s "
                  f"(enqueueing: {enqueue_rate:.0f} jobs/s){split}")
        from django.db import connections

        connections.close_all()


if __name__ == "__main__":
    main()
