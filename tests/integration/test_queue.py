"""The distributed job queue for real (issue 24): `grader worker` processes and `grader run
--queue` on Debian's redis-server and PostgreSQL (scripts/ensure-services.sh; each test its
own database and Redis database number), grading in real containers, nothing mocked.

- two named workers grade a cohort of 12 (variants of the wordfreq solutions under other
  candidates' names, one bundled wordfreq solution and the datascience reference) through
  Redis into PostgreSQL: every job graded once, both workers took some, every report stored
  once, and each equal in status, total and every check's status and points to `grader
  run`'s grading of the same solution (tests/integration/graded.py's, shared with the run);
- a worker SIGKILLed while grading: its job is queued again within the stated time and
  finished by the other worker (each submission graded once), and the next worker started on
  the host removes every container, volume and network the dead one left;
- without a broker, `grader run --queue` grades the same jobs with its own threads.

Cost on this 2-core machine, shared with other work (load 5-6): the cohort 120-165 s (about
35 s of it the comparison gradings when no other test of the run made them; the cohort
itself took 74 s through the two workers), the SIGKILL test 40-55 s.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from grader.store import Store
from tests.conftest import ROOT, TEST_CHALLENGE
from tests.integration.graded import graded_solution
from tests.integration.queue_cluster import (
    TIMING,
    Backends,
    Cluster,
    backends,
    cluster,
    finish,
    jobs,
    until,
    variant,
    worker_resources,
)

__all__ = ["backends", "cluster"]      # fixtures
WORDFREQ = TEST_CHALLENGE / "solutions"
DATASCIENCE = ROOT / "challenges" / "datascience"


def _scores(report: dict[str, Any]) -> tuple[Any, ...]:
    """What must be equal between the queue's grading and `grader run`'s."""
    return (report["status"], report["total"]["points"], report["total"]["max_points"],
            {c["id"]: (c["status"], c["points"]) for c in report["checks"]})


def test_two_workers_grade_a_cohort_through_redis_into_postgresql(
        cluster: Cluster, backends: Backends, tmp_path: Path) -> None:
    from grader.db.models import ReportFile, Submission

    folder = tmp_path / "cohort"
    folder.mkdir()
    cohort: list[tuple[Path, Path, str]] = []     # (path, challenge, solution it copies)
    for name in ("Ann Ash", "Ben Bay", "Cat Cole", "Dan Dee", "Eva Eng", "Fay Fox"):
        cohort.append((variant(WORDFREQ / "reference", name, folder), TEST_CHALLENGE,
                       "reference"))
    for name in ("Gus Gray", "Hal Hunt", "Ivy Ives", "Jo Jay"):
        cohort.append((variant(WORDFREQ / "case-sensitive", name, folder), TEST_CHALLENGE,
                       "case-sensitive"))
    cohort.append((WORDFREQ / "memory-hog", TEST_CHALLENGE, "memory-hog"))
    cohort.append((DATASCIENCE / "solutions" / "reference", DATASCIENCE, "reference"))
    assert len(cohort) == 12
    cluster.start_worker("w1")
    cluster.start_worker("w2")
    out = tmp_path / "out"
    started = time.monotonic()
    code, stdout, stderr = finish(cluster.run_queue(*[p for p, _, _ in cohort], "--out", out),
                                  timeout=900)
    seconds = time.monotonic() - started
    assert code == 0, stdout + stderr
    assert "12 job(s) queued through redis://" in stderr
    assert sum(line.startswith("graded ") for line in stdout.splitlines()) == 12, stdout
    assert (out / "summary.csv").is_file() and (out / "index.html").is_file()

    store = backends.store()
    rows = jobs(store)
    assert [(r.state, r.attempts) for r in rows] == [("graded", 1)] * 12
    assert {r.worker for r in rows} == {cluster.node("w1"), cluster.node("w2")}
    results = [r.result_id for r in rows]
    assert len(set(results)) == 12
    assert Submission.objects.using(store.alias).count() == 12
    files = list(ReportFile.objects.using(store.alias).values_list("submission_id", "name"))
    assert len(files) == len(set(files))                     # every bundle file stored once
    for row, (path, challenge, solution) in zip(rows, cohort, strict=True):
        stored = json.loads(store.report_file(str(row.result_id), "report.json") or b"{}")
        written = json.loads((out / str(row.result_id) / "report.json").read_text())
        assert written == stored
        assert stored["submission"]["source"] == str(path)
        expected = graded_solution(challenge, solution, tmp_path / "direct").json()
        assert _scores(stored) == _scores(expected), f"{path} graded differently"
    print(f"\ncohort of 12 through 2 workers: {seconds:.0f} s")


def _heartbeat_age(store: Store, job_id: int) -> float:
    from grader.db.models import Job

    beat = Job.objects.using(store.alias).values_list("heartbeat_at", flat=True).get(pk=job_id)
    return (dt.datetime.now(dt.UTC) - beat).total_seconds() if beat else 0.0


def test_a_killed_workers_job_is_finished_by_another_and_its_leftovers_removed(
        cluster: Cluster, backends: Backends, docker_client: Any, tmp_path: Path) -> None:
    from grader.db.models import Job, Submission

    paths = [WORDFREQ / "infinite-loop", variant(WORDFREQ / "reference", "Kim Kay", tmp_path),
             variant(WORDFREQ / "case-sensitive", "Lou Lee", tmp_path)]
    w1, w2 = cluster.node("w1"), cluster.node("w2")
    cluster.start_worker("w1")
    client = cluster.run_queue(*paths, "--out", tmp_path / "out")
    store = backends.store()
    first = until(lambda: jobs(store)[:1], 60, "the jobs queued")[0].pk

    def grading_in_a_container() -> bool:
        row = Job.objects.using(store.alias).get(pk=first)
        return row.state == "grading" and bool(worker_resources(docker_client, w1))

    until(grading_in_a_container, 120, "w1 grading the first job in a container")
    cluster.kill("w1")
    killed = time.monotonic()
    assert worker_resources(docker_client, w1), "the dead worker left nothing to clean up"
    # its heartbeat grows older than GRADER_JOB_STALE_AFTER: the next worker's start takes
    # it for dead (no ping answered, no fresh heartbeat) and removes what it left
    stale = float(TIMING["GRADER_JOB_STALE_AFTER"])
    until(lambda: _heartbeat_age(store, first) > stale, 30, "w1's heartbeat stale")
    cluster.start_worker("w2")
    assert worker_resources(docker_client, w1) == []
    assert f"grader: worker {w1} is gone: removed " in cluster.log("w2")
    until(lambda: Job.objects.using(store.alias).get(pk=first).worker == w2, 60,
          "w2 taking the dead worker's job")
    takeover = time.monotonic() - killed
    code, stdout, stderr = finish(client, timeout=300)
    assert code == 0, stdout + stderr
    rows = jobs(store)
    assert [(r.state, r.worker) for r in rows] == [("graded", w2)] * 3
    assert [r.attempts for r in rows] == [2, 1, 1]          # the lost try counted
    assert Submission.objects.using(store.alias).count() == 3
    assert len({r.result_id for r in rows}) == 3
    # stated time: STALE_AFTER + SWEEP after the last heartbeat, here plus w2's start
    assert takeover < 60
    print(f"\nthe killed worker's job taken by w2 {takeover:.0f} s after the kill "
          f"(w2's start included)")


def test_without_a_broker_run_queue_grades_in_its_own_process(tmp_path: Path) -> None:
    """No GRADER_BROKER_URL: the same jobs in the store (SQLite here), graded by an embedded
    pool of --jobs threads in the `grader run --queue` process; same reports, same exit code."""
    import os
    import subprocess
    import sys

    from tests.integration.queue_cluster import CHALLENGES_PATH

    env = {k: v for k, v in os.environ.items()
           if k not in ("GRADER_BROKER_URL", "GRADER_DATABASE_URL")}
    env.update(GRADER_STORE=str(tmp_path / "grader.db"), GRADER_CHALLENGES_PATH=CHALLENGES_PATH)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "grader", "run", "--queue", "-j", "2",
                           str(WORDFREQ / "reference"), str(WORDFREQ / "case-sensitive"),
                           "--out", str(out)], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 job(s) queued; graded here by 2 thread(s)" in done.stderr
    store = Store(tmp_path / "grader.db")
    rows = jobs(store)
    assert [(r.state, r.attempts) for r in rows] == [("graded", 1)] * 2
    for row, solution in zip(rows, ("reference", "case-sensitive"), strict=True):
        written = json.loads((out / str(row.result_id) / "report.json").read_text())
        expected = graded_solution(TEST_CHALLENGE, solution, tmp_path / "direct").json()
        assert _scores(written) == _scores(expected)

