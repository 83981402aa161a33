"""Delivery promises of the distributed job queue (issue 24), on the real servers with real
`grader worker` and `grader run --queue` processes (tests/integration/queue_cluster.py):

- the same zip enqueued twice, by two clients at the same moment under two file names, is
  one job and one grading; both clients get the report; enqueued again once graded, it is not
  graded again; `grader queue` shows it, and a second worker cannot take the live one's name;
- a poison submission, one that kills the worker grading it every time (here the test kills
  it, with SIGKILL, whenever it grades that job; the restarted worker of the same name takes
  its job back at once), is stopped after GRADER_JOB_MAX_TRIES and reported by `grader run
  --queue` as an internal error (exit 1) with every lost try, while the rest is graded.

Cost on this 2-core machine, shared with other work (load 5-6): 26-32 s and 20-34 s.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from grader.jobs.submit import folder_zip
from tests.conftest import ROOT, TEST_CHALLENGE
from tests.integration.queue_cluster import (
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


def test_the_same_zip_enqueued_twice_is_graded_once(
        cluster: Cluster, backends: Backends, tmp_path: Path) -> None:
    from grader.db.models import Submission, Upload

    data = folder_zip(variant(WORDFREQ / "reference", "Max Mo", tmp_path))
    first, second = tmp_path / "max.zip", tmp_path / "max-again.zip"
    first.write_bytes(data)
    second.write_bytes(data)
    cluster.start_worker("w1")
    clients = [cluster.run_queue(path, "--out", tmp_path / f"out-{n}")
               for n, path in enumerate((first, second))]
    results = [finish(client, timeout=300) for client in clients]
    assert [code for code, _, _ in results] == [0, 0], results
    store = backends.store()
    rows = jobs(store)
    assert len(rows) == 1 and (rows[0].state, rows[0].attempts) == ("graded", 1)
    sub_id = str(rows[0].result_id)
    for n in range(2):
        assert (tmp_path / f"out-{n}" / sub_id / "report.json").is_file()
    assert Submission.objects.using(store.alias).count() == 1
    uploads = Upload.objects.using(store.alias)
    assert uploads.count() == 2 and {u.submission_id for u in uploads} == {sub_id}
    assert _messages(cluster.log("w1")) == ["received", "succeeded"]     # one message
    # once graded, enqueuing it again is answered from the store: no grading
    finished_at = rows[0].finished_at
    code, stdout, _ = finish(cluster.run_queue(first, "--out", tmp_path / "out-3"), 120)
    assert code == 0 and f"graded {sub_id}" in stdout
    assert [(r.attempts, r.finished_at) for r in jobs(store)] == [(1, finished_at)]
    assert _messages(cluster.log("w1")) == ["received", "succeeded"]
    # what an operator sees; and a second worker cannot take a live one's name
    shown = _grader(cluster, "queue")
    assert shown.returncode == 0 and "jobs: 0 queued, 0 grading, 1 graded, 0 failed" in \
        shown.stdout and "0 message(s) waiting" in shown.stdout, shown.stdout + shown.stderr
    assert next(line for line in shown.stdout.splitlines()
                if line.startswith(cluster.node("w1"))).split()[1:] == ["yes", "0", "1", "0"]
    twin = _grader(cluster, "worker", "--name", cluster.name("w1"))
    assert twin.returncode == 2 and "already answers on this broker" in twin.stderr, \
        twin.stdout + twin.stderr


def _grader(cluster: Cluster, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                          text=True, cwd=ROOT, env=cluster.env, timeout=120, check=False)


def _messages(log: str) -> list[str]:
    """What Celery logged of grader's task messages: received, succeeded."""
    return [line.split("]")[2].split()[0] for line in log.splitlines()
            if "Task grader.grade[" in line]


def test_a_poison_submission_is_stopped_after_its_tries(
        cluster: Cluster, backends: Backends, docker_client: Any, tmp_path: Path) -> None:
    from grader.db.models import Job

    cluster.extra_env["GRADER_JOB_MAX_TRIES"] = "2"
    poison = variant(WORDFREQ / "infinite-loop", "Pat Poison", tmp_path)
    fine = variant(WORDFREQ / "reference", "Ned Nice", tmp_path)
    cluster.start_worker("w1")
    client = cluster.run_queue(poison, fine, "--out", tmp_path / "out")
    store = backends.store()
    w1 = cluster.node("w1")
    poison_job = until(lambda: jobs(store)[:1], 60, "the jobs queued")[0].pk
    kills = 0
    deadline = time.monotonic() + 240
    while Job.objects.using(store.alias).get(pk=poison_job).state != "failed":
        assert time.monotonic() < deadline, "the poison job was never stopped"
        row = Job.objects.using(store.alias).get(pk=poison_job)
        if row.state == "grading" and worker_resources(docker_client, w1):
            cluster.kill("w1")           # the submission "kills" its worker, every time
            kills += 1
            cluster.start_worker("w1")   # restarted under its name: takes its job back
            continue
        time.sleep(0.2)
    assert kills == 2
    code, stdout, stderr = finish(client, timeout=120)
    assert code == 1, stdout + stderr                      # an internal error, not a report
    rows = jobs(store)
    assert [(r.state, r.attempts) for r in rows] == [("failed", 2), ("graded", 1)]
    error = rows[0].error
    assert error.startswith("not tried again: a submission that stops its worker every time "
                            "is reported, not retried")
    assert error.count(f"worker {w1} stopped answering while grading") == 2
    assert "try 2 of 2" in error and "try 1 of 2" in error
    line = next(line for line in stdout.splitlines() if line.startswith("ERROR"))
    assert line.startswith(f"ERROR {poison}: job {poison_job} failed after 2 tries "
                           "(internal error): not tried again")
    kept = tmp_path / "out" / f"job-{poison_job}-error.txt"
    assert kept.read_text() == error + "\n"
    assert "graded ned-nice-" in stdout
    assert f"grader: job {poison_job}, left grading by the previous {w1}: failed" in \
        cluster.log("w1")
