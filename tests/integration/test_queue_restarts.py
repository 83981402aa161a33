"""The distributed job queue survives its servers restarting (issue 24): a redis-server and a
PostgreSQL cluster of this test's own (Debian's binaries, on loopback, in a temporary folder:
restarting the shared ones of scripts/ensure-services.sh would break the other tests running
at the same time), a real `grader worker` and a real `grader run --queue`:

1. Redis restarted while the jobs wait in it and no worker runs yet: the messages are still
   there afterwards (its append-only file), and the worker started next grades them;
2. Redis restarted again while the worker grades: the worker reconnects and goes on;
3. PostgreSQL restarted (fast: every connection cut) while the worker grades and writes
   (stage, heartbeats, the report bundle): its writes wait for the database
   (GRADER_DB_PATIENCE), and `grader run --queue` waits too.
Nothing is lost and nothing is graded twice: every job graded on its first try, one report
each, exit code 0.

Cost on this 2-core machine, shared with other work (load 5-6): about 60 s.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TEST_CHALLENGE
from tests.integration.queue_cluster import (
    Backends,
    Cluster,
    drop_database,
    finish,
    jobs,
    new_database,
    unavailable,
    until,
    variant,
)

WORDFREQ = TEST_CHALLENGE / "solutions"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the package's postgres user."""
    if os.geteuid() != 0:
        return args
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(args)]


@dataclass
class Servers:
    """A redis-server and a PostgreSQL cluster of one test, restartable."""

    folder: Path
    redis_port: int
    pg_port: int
    pg_bin: str

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}"

    @property
    def pg_url(self) -> str:
        return f"postgres://grader@127.0.0.1:{self.pg_port}/postgres"

    def _redis(self, *args: str) -> str:
        done = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(self.redis_port),
                               *args], capture_output=True, text=True, timeout=30, check=False)
        return done.stdout.strip()

    def start_redis(self) -> None:
        subprocess.run(["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port),
                        "--daemonize", "yes", "--dir", str(self.folder / "redis"),
                        "--pidfile", str(self.folder / "redis" / "redis.pid"),
                        "--logfile", str(self.folder / "redis" / "redis.log"),
                        "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
                       check=True, capture_output=True, timeout=30)
        until(lambda: self._redis("ping") == "PONG", 30, "redis-server answering")

    def stop_redis(self) -> None:
        self._redis("shutdown")
        until(lambda: self._redis("ping") != "PONG", 30, "redis-server stopped")

    def restart_redis(self) -> None:
        self.stop_redis()
        time.sleep(1)                   # the clients see it gone
        self.start_redis()

    def waiting_messages(self, db: int = 0) -> int:
        return int(self._redis("-n", str(db), "llen", "grader") or 0)

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(_as_postgres([f"{self.pg_bin}/pg_ctl", "-D", str(self.folder / "pg"),
                                     "-w", "-t", "60", *args]),
                       check=True, capture_output=True, timeout=120)

    def start_postgres(self) -> None:
        self.pg_ctl("-l", str(self.folder / "pg.log"), "-o",
                    f"'-p {self.pg_port} -k {self.folder} -c listen_addresses=127.0.0.1'",
                    "start")

    def restart_postgres(self) -> None:
        """Fast: every connection cut, no waiting for the clients."""
        self.pg_ctl("-m", "fast", "stop")
        time.sleep(1)
        self.start_postgres()


@pytest.fixture()
def servers() -> Iterator[Servers]:
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not bins or shutil.which("redis-server") is None or shutil.which("redis-cli") is None \
            or (os.geteuid() == 0 and shutil.which("su") is None):
        unavailable("redis-server and PostgreSQL's binaries are not installed "
                    "(bash scripts/ensure-services.sh installs them)")
    folder = Path(tempfile.mkdtemp(prefix="grader-queue-servers-"))  # postgres can enter it
    (folder / "redis").mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    found = Servers(folder, _free_port(), _free_port(), bins[-1])
    subprocess.run(_as_postgres([f"{found.pg_bin}/initdb", "-D", str(folder / "pg"), "-A",
                                 "trust", "-U", "grader", "--no-sync"]),
                   check=True, capture_output=True, timeout=120)
    try:
        found.start_redis()
        found.start_postgres()
        yield found
    finally:
        found._redis("shutdown", "nosave")
        subprocess.run(_as_postgres([f"{found.pg_bin}/pg_ctl", "-D", str(folder / "pg"),
                                     "-m", "immediate", "stop"]),
                       capture_output=True, timeout=120, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def test_redis_and_postgresql_restarts_lose_nothing(servers: Servers, tmp_path: Path) -> None:
    from grader.db.connection import ensure_django

    ensure_django()
    from grader.db.models import Job, Submission

    backends = Backends(f"{servers.redis_url}/0", new_database(servers.pg_url))
    cluster = Cluster(backends, tmp_path)
    try:
        paths = [variant(WORDFREQ / base, name, tmp_path) for base, name in [
            ("reference", "Ona One"), ("case-sensitive", "Tia Two"), ("reference", "Tom Three"),
            ("case-sensitive", "Fin Four"), ("reference", "Flo Five")]]
        client = cluster.run_queue(*paths, "--out", tmp_path / "out")
        store = backends.store()
        until(lambda: servers.waiting_messages() == 5, 60, "5 messages waiting in Redis")
        servers.restart_redis()                                          # 1.
        assert servers.waiting_messages() == 5
        cluster.start_worker("w1")
        grading = Job.objects.using(store.alias).filter(state="grading")
        until(grading.exists, 60, "w1 grading")
        servers.restart_redis()                                          # 2.
        until(lambda: Job.objects.using(store.alias).filter(state="graded").count() >= 2
              and grading.exists(), 120, "w1 grading again after the Redis restart")
        servers.restart_postgres()                                       # 3.
        code, stdout, stderr = finish(client, timeout=300)
        assert code == 0, stdout + stderr
        from django.db import connections

        connections[store.alias].close()        # this test's own, cut by the restart
        rows = jobs(store)
        assert [(r.state, r.attempts) for r in rows] == [("graded", 1)] * 5
        assert Submission.objects.using(store.alias).count() == 5
        assert len({r.result_id for r in rows}) == 5
        assert sum(line.startswith("graded ") for line in stdout.splitlines()) == 5
        log = cluster.log("w1")
        assert "Connection to broker lost" in log, log                   # it did see both
        assert any(said in log for said in ("the database is not reachable",
                                            "cannot reach the database", "not recorded")), log
    finally:
        cluster.close()
        drop_database(servers.pg_url, backends.database)
