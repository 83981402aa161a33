"""What the queue's benchmarks share (benchmarks/queue_overhead.py, queue_cohort.py): the
Redis and PostgreSQL servers of scripts/ensure-services.sh, a throwaway database and an empty
Redis database number per run, `grader worker` processes started and stopped, and the fake
grading that replaces the real one where a benchmark measures the queue alone.

The fake grading goes through the seam the worker uses to grade a job it claimed: the
module attribute `grader.jobs.runner.grade_job`, looked up by `WorkerRuntime.run` at each job
(grader/jobs/worker.py), and `grader.jobs.pool.grade_job` for the embedded pool. It does
what the store path of a real grading does, without Docker: reads the submission's bytes
from the store, writes a submission row and its report.json, and marks the job graded.
Not a module of grader: nothing here is imported by it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORKER_SCRIPT = Path(__file__).resolve().parent / "queue_worker.py"


@dataclass(frozen=True)
class Services:
    redis: str          # redis://127.0.0.1:6390 (no database number)
    postgres: str       # postgres://grader@127.0.0.1:5440/postgres


def services() -> Services:
    """Start (or find) the servers of scripts/ensure-services.sh; their URLs."""
    done = subprocess.run(["bash", str(ROOT / "scripts" / "ensure-services.sh")],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"scripts/ensure-services.sh failed ({done.returncode}):\n{done.stderr}")
    found = dict(re.findall(r"export (\w+)=(\S+)", done.stdout))
    return Services(found["GRADER_TEST_REDIS_URL"].rstrip("/"),
                    found["GRADER_TEST_POSTGRES_URL"])


@contextmanager
def fresh_database(server: str, purpose: str) -> Iterator[str]:
    """A new PostgreSQL database on `server` for one run (dropped afterwards); its URL."""
    import psycopg

    name = f"bench_{purpose}_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(server.replace("postgres://", "postgresql://", 1),
                            autocommit=True)
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def commit_ms(database: str, count: int = 50) -> float:
    """The median milliseconds of one durable one-row commit on `database`: what the disk
    under PostgreSQL costs each write of the queue (a job takes about six)."""
    import statistics

    import psycopg

    with psycopg.connect(database.replace("postgres://", "postgresql://", 1)) as conn:
        conn.execute("CREATE TABLE bench_commit (x int)")
        conn.commit()
        samples = []
        for _ in range(count):
            started = time.perf_counter()
            conn.execute("INSERT INTO bench_commit VALUES (1)")
            conn.commit()
            samples.append((time.perf_counter() - started) * 1000)
        conn.execute("DROP TABLE bench_commit")
        conn.commit()
    return statistics.median(samples)


@contextmanager
def empty_redis_db(server: str) -> Iterator[str]:
    """A Redis database number nobody uses (empty; tried from 63 down), flushed afterwards
    (only that number: it was empty before); its URL."""
    import redis

    for number in range(63, 31, -1):
        client = redis.Redis.from_url(f"{server}/{number}")
        # claim the number with a key of our own, so a parallel run skips it
        mine = f"grader-bench-{os.getpid()}"
        if client.dbsize() == 0 and client.set("grader-bench-claim", mine, nx=True):
            try:
                yield f"{server}/{number}"
            finally:
                client.flushdb()
                client.close()
            return
        client.close()
    sys.exit(f"no empty Redis database number between 32 and 63 on {server}")


@dataclass
class Workers:
    """`grader worker` processes (benchmarks/queue_worker.py) on one broker and store."""

    env: dict[str, str]
    prefix: str
    logs: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    nodes: list[str] = field(default_factory=list)

    def start(self, count: int, fake: bool, concurrency: int = 1) -> list[str]:
        """Start `count` workers; their node names once every one answers a ping."""
        import socket

        names = []
        for _ in range(count):
            name = f"{self.prefix}-{len(self.procs) + 1}"
            log = (self.logs / f"{name}.log").open("wb")
            argv = [sys.executable, str(WORKER_SCRIPT), "--name", name, "--concurrency",
                    str(concurrency)] + (["--fake"] if fake else [])
            self.procs[name] = subprocess.Popen(argv, env=self.env, cwd=ROOT, stdout=log,
                                                stderr=subprocess.STDOUT)
            names.append(f"{name}@{socket.gethostname()}")
        self._wait_answering(set(names))
        self.nodes += names
        return names

    def _control(self, verb: str) -> None:
        from grader.jobs.celery_app import QUEUE, app_for

        app = app_for(self.env["GRADER_BROKER_URL"])
        replies = getattr(app.control, verb)(QUEUE, reply=True, destination=self.nodes)
        if len(replies or []) != len(self.nodes):
            sys.exit(f"{verb}: {len(replies or [])} of {len(self.nodes)} workers answered")

    def pause(self) -> None:
        """The workers stop taking messages (Celery's remote control: cancel_consumer)."""
        self._control("cancel_consumer")

    def resume(self) -> None:
        """The workers take messages again (add_consumer)."""
        self._control("add_consumer")

    def _wait_answering(self, names: set[str], timeout: float = 120.0) -> None:
        from grader.jobs.celery_app import app_for

        app = app_for(self.env["GRADER_BROKER_URL"])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    sys.exit(f"worker {name} exited with {proc.returncode}: see "
                             f"{self.logs / (name + '.log')}")
            replies = app.control.ping(timeout=1.0) or []
            if names <= {node for reply in replies for node in reply}:
                return
        sys.exit(f"workers {sorted(names)} did not answer within {timeout:g} s: see {self.logs}")

    def stop(self) -> None:
        """SIGTERM every worker (they hand back what they grade and exit 130), then wait."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for name, proc in self.procs.items():
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                print(f"worker {name} did not stop within 60 s: killed", file=sys.stderr)
                proc.kill()
                proc.wait()
        self.procs.clear()
        self.nodes.clear()


def worker_env(broker: str, database: str, **extra: str) -> dict[str, str]:
    """The environment of a worker (and of `grader run --queue`) on this broker and store."""
    env = dict(os.environ)
    env.update({"GRADER_BROKER_URL": broker, "GRADER_DATABASE_URL": database,
                "PYTHONPATH": str(ROOT), **extra})
    env.pop("GRADER_STORE", None)
    return env


# -- the fake grading --------------------------------------------------------------------------
def fake_grade_job(job: Any, worker: str, store: Any, settings: Any = None,
                   patience: float | None = None) -> Any:
    """grade_job's signature and store path without a grading: the submission's bytes read
    from the store, a submission row with its report.json written, the job marked graded."""
    from django.db import transaction

    from grader.db.models import ReportFile, Submission, Upload
    from grader.jobs import queue
    from grader.jobs.runner import JobResult

    alias = store.alias
    data = bytes(Upload.objects.using(alias).values_list("data", flat=True).get(
        pk=job.upload_id))
    sub_id = f"bench-{job.sha256[:16]}"
    report = json.dumps({"submission": sub_id, "bytes": len(data), "percent": 100.0})
    with transaction.atomic(using=alias):
        Submission.objects.using(alias).update_or_create(pk=sub_id, defaults={
            "challenge": "bench", "candidate": sub_id, "status": "graded", "percent": 100.0,
            "graded_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "sha256": job.sha256,
            "report_json": report})
        ReportFile.objects.using(alias).update_or_create(
            submission_id=sub_id, name="report.json",
            defaults={"data": report.encode(), "size": len(report)})
    queue.finish(job.pk, worker, sub_id, 0, using=alias)
    return JobResult(job.pk, "graded", sub_id)


def fake_uploads(alias: str, count: int, size: int = 2048) -> list[int]:
    """`count` accepted uploads of distinct random bytes (no challenge: nothing to load);
    their ids."""
    from grader.db.models import Upload

    rows = []
    for _ in range(count):
        data = os.urandom(size)
        rows.append(Upload(filename="bench.zip", data=data, size=size, accepted=True,
                           verdict="accepted", sha256=hashlib.sha256(data).hexdigest()))
    made = Upload.objects.using(alias).bulk_create(rows)
    return [u.pk for u in made]
