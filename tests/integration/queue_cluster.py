"""What the job queue's integration tests (tests/integration/test_queue*.py) stand on: the
real Redis and PostgreSQL servers scripts/ensure-services.sh starts on loopback (their URLs in
GRADER_TEST_REDIS_URL and GRADER_TEST_POSTGRES_URL), a database and a Redis database number
of its own for each test, and a `Cluster`: real `grader worker` processes and `grader run
--queue` processes on those servers, as an operator would start them.

Without the servers the tests skip, or FAIL when GRADER_REQUIRE_SERVICES=1 (scripts/test.sh
sets it): a skipped queue test proves nothing in CI.

The workers run with short timings (a heartbeat a second, taken for dead after 4 s without
one, a sweep a second, messages resent after 5 s waiting), so a dead worker's job is taken
over within seconds rather than the production 150 s.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import pytest

from grader.store import Store
from tests.conftest import ROOT

REQUIRED = os.environ.get("GRADER_REQUIRE_SERVICES") == "1"
CHALLENGES_PATH = os.pathsep.join([str(ROOT / "tests" / "challenges"), str(ROOT / "challenges")])
TIMING = {"GRADER_JOB_HEARTBEAT": "1", "GRADER_JOB_STALE_AFTER": "4", "GRADER_JOB_SWEEP": "1",
          "GRADER_JOB_RESEND_AFTER": "5", "GRADER_DB_PATIENCE": "120"}
T = TypeVar("T")


def unavailable(why: str) -> NoReturn:
    """Skip, or fail when the test command requires the servers."""
    if REQUIRED:
        pytest.fail(f"the job queue's servers are required (GRADER_REQUIRE_SERVICES=1): {why}")
    pytest.skip(why)


def service_urls() -> tuple[str, str]:
    """(redis://host:port, postgres://user@host:port/postgres), both answering."""
    redis_url = os.environ.get("GRADER_TEST_REDIS_URL", "").rstrip("/")
    pg_url = os.environ.get("GRADER_TEST_POSTGRES_URL", "")
    if not redis_url or not pg_url:
        unavailable('GRADER_TEST_REDIS_URL and GRADER_TEST_POSTGRES_URL are not set: run '
                    'eval "$(bash scripts/ensure-services.sh)" first (scripts/test.sh does)')
    import psycopg
    import redis

    try:
        redis.Redis.from_url(f"{redis_url}/0", socket_timeout=5).ping()
    except Exception as exc:
        unavailable(f"Redis at {redis_url} does not answer: {exc}")
    try:
        psycopg.connect(pg_url, connect_timeout=5).close()
    except Exception as exc:
        unavailable(f"PostgreSQL at {pg_url} does not answer: {exc}")
    return redis_url, pg_url


@dataclass(frozen=True)
class Backends:
    """One test's broker (a Redis database number of its own) and store (a PostgreSQL
    database of its own)."""

    broker: str
    database: str

    def store(self) -> Store:
        return Store(url=self.database)


def new_database(pg_url: str) -> str:
    import psycopg

    name = f"grader_q_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{pg_url.rsplit('/', 1)[0]}/{name}"


def drop_database(pg_url: str, database: str) -> None:
    import psycopg
    from django.db import connections

    for alias in list(connections.settings):
        if connections.settings[alias].get("NAME") == database.rsplit("/", 1)[1]:
            connections[alias].close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database.rsplit("/", 1)[1]}" WITH (FORCE)')


@pytest.fixture()
def backends() -> Iterator[Backends]:
    import redis

    from grader.db.connection import ensure_django

    ensure_django()         # the tests read the models
    redis_url, pg_url = service_urls()
    number = int(redis.Redis.from_url(f"{redis_url}/0").incr("grader-test:next-db")) % 63 + 1
    broker = f"{redis_url}/{number}"
    redis.Redis.from_url(broker).flushdb()
    database = new_database(pg_url)
    try:
        yield Backends(broker, database)
    finally:
        redis.Redis.from_url(broker).flushdb()
        drop_database(pg_url, database)


def until(check: Callable[[], T], timeout: float, what: str, every: float = 0.2) -> T:
    """`check()`'s first truthy value within `timeout` seconds; fails saying `what`."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout:g} s: {what}")
        time.sleep(every)


@dataclass
class Cluster:
    """The processes of one test: named workers, and `grader run --queue` clients."""

    backends: Backends
    folder: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)
    clients: list[subprocess.Popen[bytes]] = field(default_factory=list)
    starts: int = 0
    #: worker names get it as a suffix: the tests running at the same time (pytest-xdist)
    #: each have their own `w1`, and a test looking at w1's containers sees its own only
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:6])

    @property
    def env(self) -> dict[str, str]:
        # a SIGKILLed worker cannot remove its job's temporary folder: in the test's own
        tmp = self.folder / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return {**os.environ, **TIMING, "TMPDIR": str(tmp),
                "GRADER_BROKER_URL": self.backends.broker,
                "GRADER_DATABASE_URL": self.backends.database,
                "GRADER_CHALLENGES_PATH": CHALLENGES_PATH, "PYTHONUNBUFFERED": "1",
                **self.extra_env}

    def name(self, short: str) -> str:
        """The --name a worker of this test is started with (`w1` -> `w1-<token>`)."""
        return f"{short}-{self.token}"

    def node(self, short: str) -> str:
        """Its node name, as the store and the labels have it."""
        return f"{self.name(short)}@{socket.gethostname()}"

    def start_worker(self, name: str, timeout: float = 90) -> subprocess.Popen[bytes]:
        """`grader worker --name NAME`, once Celery says it is ready."""
        self.starts += 1
        log = self.folder / f"worker-{name}-{self.starts}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "grader", "worker", "--name",
                                     self.name(name)],
                                    stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                    env=self.env)
        self.workers[name], self.logs[name] = proc, log

        def ready() -> bool:
            if proc.poll() is not None:
                pytest.fail(f"worker {name} exited with {proc.returncode}:\n{log.read_text()}")
            return f"{self.node(name)} ready." in log.read_text(errors="replace")

        until(ready, timeout, f"worker {name} ready ({log})")
        return proc

    def log(self, name: str) -> str:
        return self.logs[name].read_text(errors="replace")

    def kill(self, name: str) -> None:
        """SIGKILL: the worker cannot clean anything up."""
        proc = self.workers.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)

    def stop(self, name: str) -> int:
        """SIGTERM, as an operator stops it; its exit code."""
        proc = self.workers.pop(name)
        proc.send_signal(signal.SIGTERM)
        return proc.wait(120)

    def run_queue(self, *args: str | Path) -> subprocess.Popen[bytes]:
        """`grader run --queue ARGS` started (its output in .stdout / .stderr as bytes)."""
        proc = subprocess.Popen([sys.executable, "-m", "grader", "run", "--queue",
                                 *map(str, args)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=ROOT, env=self.env)
        self.clients.append(proc)
        return proc

    def close(self) -> None:
        for client in self.clients:
            if client.poll() is None:
                client.kill()
                client.wait(30)
        for name in list(self.workers):
            if self.workers[name].poll() is None:
                try:
                    self.stop(name)
                except subprocess.TimeoutExpired:
                    self.kill(name)
            else:
                self.workers.pop(name)


def finish(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int, str, str]:
    """A `run_queue` process's exit code, stdout and stderr."""
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


@pytest.fixture()
def cluster(backends: Backends, tmp_path: Path) -> Iterator[Cluster]:
    found = Cluster(backends, tmp_path)
    try:
        yield found
    finally:
        found.close()


def jobs(store: Store) -> list[Any]:
    """Every job of the store, oldest first."""
    from grader.db.models import Job

    return list(Job.objects.using(store.alias).order_by("pk"))


def worker_resources(client: Any, node: str) -> list[str]:
    """Containers, volumes and networks on the engine labelled as made by worker `node` (of
    any deployment: the label is `<node>/<deployment>`)."""
    from grader.sandbox.lifecycle import LABEL_WORKER

    def mine(labels: dict[str, str] | None) -> bool:
        return (labels or {}).get(LABEL_WORKER, "").startswith(f"{node}/")

    label = {"label": LABEL_WORKER}
    return ([c["Id"][:12] for c in client.api.containers(all=True, filters=label)
             if mine(c.get("Labels"))]
            + [v["Name"] for v in client.api.volumes(filters=label).get("Volumes") or []
               if mine(v.get("Labels"))]
            + [n["Name"] for n in client.api.networks(filters=label) if mine(n.get("Labels"))])


def variant(base: Path, candidate: str, into: Path) -> Path:
    """A copy of solution `base` handed in by `candidate` (another id, the same code)."""
    import shutil

    target = into / candidate.lower().replace(" ", "-")
    shutil.copytree(base, target, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    manifest = target / "submission.yaml"
    lines = [f"candidate: {candidate}" if line.startswith("candidate:") else line
             for line in manifest.read_text().splitlines()]
    manifest.write_text("\n".join(lines) + "\n")
    return target
