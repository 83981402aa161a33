"""Prints how a real cohort goes through the job queue: 12 bundled backend solutions (the
cheap ones: three kits, servers that start, no time-outs) enqueued with `grader run --queue`
through Celery + Redis into PostgreSQL, graded by 1 `grader worker` and then by 2 (each
`--concurrency 1`, real gradings in Docker): the wall-clock seconds of each, their ratio,
and how busy the machine's CPUs were meanwhile.

    .venv/bin/python benchmarks/queue_cohort.py [--workers 1 2] [--solution NAME ...]

Each run has a PostgreSQL database and a Redis database number of its own (so the second run
grades again rather than finding the first run's jobs: the same bytes are one job), and the
timer runs from `grader run --queue` starting to its exit (every report written), with the
workers already answering. On a machine whose CPUs are already busy (2 cores), a second
worker mostly splits the same CPUs: the ratio says how much of a grading is waiting rather
than computing. Needs the Docker engine, the backend images (built by the first grading
when missing: run it twice to compare warm runs) and scripts/ensure-services.sh. Figures
only; no test asserts a time. docs/deploy.md keeps the figures of one run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "challenges" / "backend" / "solutions"
COHORT = ("fastapi-reference", "flask-reference", "django-reference", "no-auth",
          "no-ownership", "in-memory", "no-tests", "test-faker", "jwt-no-verify-fastapi",
          "sqli-flask-raw", "drf-status-codes", "md5-hasher-django")


def busy_cpu_seconds() -> float:
    """Seconds all CPUs spent busy since boot (user, nice, system, irq, softirq)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fields[:7])
    return (user + nice + system + irq + softirq) / 100  # USER_HZ, 100 on Linux


def one_run(count: int, paths: list[Path], logs: Path) -> tuple[float, float, str]:
    """(seconds, share of the CPUs busy, how grader run --queue ended) with `count`
    workers."""
    from benchmarks.queue_services import (
        Workers,
        empty_redis_db,
        fresh_database,
        services,
        worker_env,
    )

    found = services()
    with fresh_database(found.postgres, f"cohort{count}") as database, \
            empty_redis_db(found.redis) as broker:
        env = worker_env(broker, database)
        workers = Workers(env, f"bench-cohort{count}", logs)
        try:
            workers.start(count, fake=False)
            out = logs / f"reports-{count}"
            cpu = busy_cpu_seconds()
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "grader", "run", "--queue", *map(str, paths),
                 "--challenge", "backend", "--out", str(out)],
                env=env, cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False)
            seconds = time.perf_counter() - started
            busy = (busy_cpu_seconds() - cpu) / (seconds * (os.cpu_count() or 1))
        finally:
            workers.stop()
    lines = (done.stdout + done.stderr).strip().splitlines()
    errors = [line for line in lines if line.startswith("ERROR ")]
    said = f"grader run --queue exited {done.returncode}"
    if errors:      # a grading that failed part-way took less time than it would have
        said += (f"; {len(errors)} grading(s) did not finish, so this time is not comparable:"
                 "\n" + "\n".join(line[:300] for line in errors))
    elif done.returncode not in (0, 2):
        sys.exit(f"{said}:\n{done.stdout}\n{done.stderr}")
    return seconds, busy, said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--solution", action="append", help="instead of the 12 of COHORT")
    args = parser.parse_args()

    names = args.solution or list(COHORT)
    paths = [SOLUTIONS / name for name in names]
    missing = [str(p) for p in paths if not p.is_dir()]
    if missing:
        sys.exit(f"no such solution: {', '.join(missing)}")
    logs = Path(tempfile.mkdtemp(prefix="grader-bench-cohort-"))
    print(f"a cohort of {len(paths)} backend solutions through Celery + Redis + PostgreSQL; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start; "
          f"logs and reports in {logs}")
    seconds: dict[int, float] = {}
    for count in args.workers:
        took, busy, tail = one_run(count, paths, logs)
        seconds[count] = took
        print(f"  {count} worker(s): {took:6.1f} s ({took / len(paths):.1f} s per submission), "
              f"CPUs busy {busy:.0%} of the time (every process on the machine)")
        print("    " + tail.replace("\n", "\n    "))
    if 1 in seconds:
        for count, took in seconds.items():
            if count != 1:
                print(f"  {count} workers against 1: {seconds[1] / took:.2f}x as fast")
    print(f"  load average at the end {os.getloadavg()[0]:.1f}: with the CPUs this busy, the "
          "gradings are bound by the CPUs, and another worker on the same host mostly "
          "shares them; workers on other hosts add their own CPUs")


if __name__ == "__main__":
    main()
