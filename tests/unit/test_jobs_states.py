"""The parts of the job state machine the distributed transport adds (grader/jobs/queue.py,
sweep.py, base.py, runner.py, patience.py), on a real SQLite store, with a fake broker (a
list of the messages sent) beside the real one of tests/integration/test_queue*.py:

- the same bytes enqueued twice are one job and one message; a forced regrade of a finished
  job sends one more; a job waiting, grading or graded sends none;
- a worker restarted under a dead one's name takes back its jobs at once (`reclaim(worker=)`),
  each lost try kept in the job's error, newest first, with the stage it died in;
- a poison submission (one that kills every worker taking it) is failed after its N tries,
  never retried forever; an environment failure is retried, then failed with its traceback;
- the sweep: silent workers' jobs queued again and their message sent again, but only once
  the sweep has itself reached the database for STALE_AFTER (after a database outage every
  heartbeat is old and the workers are alive); overdue messages resent at 1x, 2x, 4x ... age;
- `patiently`: a database that went away is waited for, anything else raises at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, OperationalError

from grader.store import Store


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "db" / "grader.db")


class FakeBroker:
    """What the transport sent (the message of grader/jobs/celery_app.py)."""

    def __init__(self, reachable: bool = True) -> None:
        self.sent: list[tuple[int, str]] = []
        self.reachable = reachable

    def send(self, job_id: int, sha256: str) -> bool:
        if self.reachable:
            self.sent.append((job_id, sha256))
        return self.reachable


def _upload(store: Store, data: bytes, challenge: str = "wordfreq") -> int:
    from grader.db.models import Upload

    return Upload.objects.using(store.alias).create(
        filename="work.zip", data=data, size=len(data), accepted=True, verdict="accepted",
        sha256=hashlib.sha256(data).hexdigest(), challenge=challenge).pk


def _celery_queue(store: Store, broker: FakeBroker, monkeypatch: pytest.MonkeyPatch,
                  max_tries: int | None = None) -> Any:
    from grader.jobs import transport

    monkeypatch.setattr(transport, "send", lambda app, job_id, sha: broker.send(job_id, sha))
    return transport.CeleryQueue(store, "redis://127.0.0.1:1/0", max_tries=max_tries)


def _age(store: Store, job_id: int, **field_seconds: float) -> None:
    """Move a job's timestamps back by the given seconds (heartbeat_at=..., queued_at=...)."""
    from grader.db.models import Job

    row = Job.objects.using(store.alias).get(pk=job_id)
    Job.objects.using(store.alias).filter(pk=job_id).update(**{
        name: getattr(row, name) - dt.timedelta(seconds=s) for name, s in field_seconds.items()})


def test_one_message_per_queued_job_and_none_for_a_duplicate(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.jobs import queue

    broker = FakeBroker()
    jobs = _celery_queue(store, broker, monkeypatch)
    sha = hashlib.sha256(b"zip-1").hexdigest()
    first = jobs.enqueue_upload(_upload(store, b"zip-1"))
    assert broker.sent == [(first, sha)]
    assert jobs.enqueue_upload(_upload(store, b"zip-1")) == first       # waiting: no message
    assert queue.claim("w1", using=store.alias) is not None
    assert jobs.enqueue_upload(_upload(store, b"zip-1")) == first       # grading: none
    assert jobs.enqueue_upload(_upload(store, b"zip-1"), force=True) == first  # not forced
    assert broker.sent == [(first, sha)]
    from grader.db.models import Submission

    Submission.objects.using(store.alias).create(id="ada-1", status="graded", graded_at="t",
                                                 report_json="{}")
    assert queue.finish(first, "w1", "ada-1", 0, using=store.alias)
    assert jobs.enqueue_upload(_upload(store, b"zip-1")) == first       # graded: once
    assert len(broker.sent) == 1
    assert jobs.enqueue_upload(_upload(store, b"zip-1"), force=True) == first
    assert broker.sent == [(first, sha), (first, sha)]                  # a deliberate regrade
    view = jobs.job(first)
    assert view is not None and view.state == "queued" and view.attempts == 0


def test_a_broker_that_is_away_loses_no_job(store: Store,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    broker = FakeBroker(reachable=False)
    jobs = _celery_queue(store, broker, monkeypatch)
    job_id = jobs.enqueue_upload(_upload(store, b"zip"))
    view = jobs.job(job_id)
    assert view is not None and view.state == "queued"      # the store has it
    assert jobs.unsent == {job_id: hashlib.sha256(b"zip").hexdigest()}
    assert jobs.resend_unsent() == 1 and broker.sent == []
    broker.reachable = True
    assert jobs.resend_unsent() == 0
    assert broker.sent == [(job_id, hashlib.sha256(b"zip").hexdigest())]


def test_a_worker_restarted_under_a_dead_ones_name_takes_its_jobs_back(store: Store) -> None:
    from grader.db.models import Job
    from grader.jobs import queue

    a = queue.enqueue(queue.work_for_upload(_upload_row(store, b"a")), using=store.alias).pk
    b = queue.enqueue(queue.work_for_upload(_upload_row(store, b"b")), using=store.alias).pk
    assert queue.claim("w1@host", using=store.alias, job_id=a) is not None
    assert queue.set_stage(a, "w1@host", "hidden_tests", using=store.alias)
    assert queue.claim("w2@host", using=store.alias, job_id=b) is not None
    stale = dt.timedelta(minutes=2)
    assert queue.reclaim(stale, using=store.alias) == []     # both beat a moment ago
    # w1 restarts: its job is known to be lost, fresh heartbeat or not; w2's stays
    assert queue.reclaim(stale, using=store.alias, worker="w1@host") == [(a, "queued")]
    row = Job.objects.using(store.alias).get(pk=a)
    assert (row.state, row.worker, row.attempts) == ("queued", "", 1)
    assert row.error.startswith("worker w1@host stopped answering while grading (stage "
                                "hidden_tests): last heartbeat ")
    assert "try 1 of 3" in row.error
    assert Job.objects.using(store.alias).get(pk=b).state == "grading"


def _upload_row(store: Store, data: bytes) -> Any:
    from grader.db.models import Upload

    return Upload.objects.using(store.alias).get(pk=_upload(store, data))


def test_a_poison_submission_is_stopped_after_its_tries(store: Store) -> None:
    """Each worker that takes it dies (no heartbeat any more); the third death fails it, with
    every lost try in the error, and no worker is offered it again."""
    from grader.db.models import Job
    from grader.jobs import queue

    job_id = queue.enqueue(queue.work_for_upload(_upload_row(store, b"poison")),
                           using=store.alias, max_attempts=3).pk
    stale = dt.timedelta(seconds=60)
    for n, worker in enumerate(["w1@a", "w2@b", "w3@c"], start=1):
        taken = queue.claim(worker, using=store.alias)
        assert taken is not None and taken.pk == job_id and taken.attempts == n
        assert queue.set_stage(job_id, worker, f"stage-{n}", using=store.alias)
        _age(store, job_id, heartbeat_at=120)
        assert queue.reclaim(stale, using=store.alias) == [
            (job_id, "failed" if n == 3 else "queued")]
    row = Job.objects.using(store.alias).get(pk=job_id)
    assert row.state == "failed" and row.finished_at is not None and row.attempts == 3
    lines = row.error.splitlines()
    assert lines[0].startswith("not tried again: a submission that stops its worker every "
                               "time is reported")
    assert [line.split(" stopped")[0] for line in lines[1:4]] == [
        "worker w3@c", "worker w2@b", "worker w1@a"]            # newest first
    assert "(stage stage-3)" in lines[1] and "try 3 of 3" in lines[1]
    assert queue.claim("w4@d", using=store.alias) is None     # never offered again


def test_an_environment_failure_is_retried_then_failed_with_its_traceback(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.db.models import Job
    from grader.errors import EnvironmentProblem
    from grader.jobs import queue, runner

    class NoEngine:
        def __init__(self, **_: Any) -> None:
            pass

        def grade(self, *_: Any, **__: Any) -> Any:
            raise EnvironmentProblem("the Docker engine does not answer", fix="start dockerd")

    monkeypatch.setattr(runner, "Grader", NoEngine)
    monkeypatch.setenv("GRADER_CHALLENGES_PATH", str(Path(__file__).parents[1] / "challenges"))
    job_id = queue.enqueue(queue.work_for_upload(_upload_row(store, b"zip")),
                           using=store.alias, max_attempts=2).pk
    states = []
    for _ in range(2):
        job = queue.claim("w1", using=store.alias)
        assert job is not None
        states.append(runner.grade_job(job, "w1", store, patience=0).state)
    assert states == ["queued", "failed"]
    row = Job.objects.using(store.alias).get(pk=job_id)
    assert row.error.startswith("the Docker engine does not answer")
    assert "Traceback (most recent call last)" in row.error and "in grade" in row.error


def test_a_resend_is_due_at_one_two_four_times_the_limit(store: Store) -> None:
    from grader.jobs import queue

    job_id = queue.enqueue(queue.work_for_upload(_upload_row(store, b"zip")),
                           using=store.alias).pk
    sha = hashlib.sha256(b"zip").hexdigest()

    def due_at(age: float) -> bool:
        from django.utils import timezone

        from grader.db.models import Job

        Job.objects.using(store.alias).filter(pk=job_id).update(
            queued_at=timezone.now() - dt.timedelta(seconds=age))
        return queue.overdue(100, 10, using=store.alias) == [(job_id, sha)]

    assert [due_at(a) for a in (50, 99)] == [False, False]          # not yet
    assert [due_at(a) for a in (101, 109)] == [True, True]          # crossed 100 s
    assert [due_at(a) for a in (115, 150, 199)] == [False, False, False]
    assert [due_at(a) for a in (203, 405, 801)] == [True, True, True]   # 200, 400, 800 s
    assert [due_at(a) for a in (215, 500)] == [False, False]


def test_the_sweep_requeues_a_silent_workers_job_and_sends_it_again(store: Store) -> None:
    from grader.jobs import queue
    from grader.jobs.config import JobTiming
    from grader.jobs.sweep import Sweeper

    now = [1000.0]
    broker = FakeBroker()
    timing = JobTiming(heartbeat=1, stale_after=60, sweep=5, resend_after=600)
    sweeper = Sweeper(store.alias, timing, broker.send, clock=lambda: now[0])
    job_id = queue.enqueue(queue.work_for_upload(_upload_row(store, b"zip")),
                           using=store.alias).pk
    assert queue.claim("dead@a", using=store.alias) is not None
    _age(store, job_id, heartbeat_at=300)
    # the sweep just reached the database: it does not judge heartbeats yet (the database
    # may have been away, and every worker's heartbeat with it)
    assert sweeper.sweep() == {"queued": [], "failed": [], "resent": []}
    now[0] += 59
    assert sweeper.sweep()["queued"] == []
    now[0] += 1
    assert sweeper.sweep() == {"queued": [job_id], "failed": [], "resent": [job_id]}
    assert broker.sent == [(job_id, hashlib.sha256(b"zip").hexdigest())]
    again = queue.claim("alive@b", using=store.alias)
    assert again is not None and again.attempts == 2


def test_the_sweep_waits_out_a_database_it_cannot_reach(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.jobs import queue
    from grader.jobs.config import JobTiming
    from grader.jobs.sweep import Sweeper

    now = [0.0]
    sweeper = Sweeper(store.alias, JobTiming(stale_after=60), FakeBroker().send,
                      clock=lambda: now[0])
    assert sweeper.sweep()["queued"] == []
    now[0] = 100.0
    real = queue.reclaim

    def away(*_: Any, **__: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(queue, "reclaim", away)
    assert sweeper.sweep() == {"queued": [], "failed": [], "resent": []}   # logged, not raised
    monkeypatch.setattr(queue, "reclaim", real)
    calls: list[int] = []

    def counted(*_: Any, **__: Any) -> list[tuple[int, str]]:
        calls.append(1)
        return []

    monkeypatch.setattr(queue, "reclaim", counted)
    now[0] = 130.0
    sweeper.sweep()
    assert calls == []                  # back for 30 s only: heartbeats not judged yet
    now[0] = 190.0
    sweeper.sweep()
    assert calls == [1]


def test_the_heartbeat_stamps_only_the_jobs_held(store: Store) -> None:
    from grader.db.models import Job
    from grader.jobs import queue
    from grader.jobs.sweep import Heartbeats

    job_id = queue.enqueue(queue.work_for_upload(_upload_row(store, b"zip")),
                           using=store.alias).pk
    assert queue.claim("w1", using=store.alias) is not None
    _age(store, job_id, heartbeat_at=90)
    beats = Heartbeats(store.alias, "w1", every=10)
    assert beats.beat() == 0
    beats.hold(job_id)
    assert beats.held == [job_id] and beats.beat() == 1
    beat = Job.objects.using(store.alias).get(pk=job_id).heartbeat_at
    assert beat is not None and (dt.datetime.now(dt.UTC) - beat).total_seconds() < 5
    assert Heartbeats(store.alias, "w2", every=10).beat() == 0
    beats.drop(job_id)
    assert beats.held == []


def test_patiently_waits_for_the_database_and_nothing_else(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.jobs import patience

    monkeypatch.setattr(patience.time, "sleep", lambda s: None)
    calls = [0]

    def flaky() -> str:
        calls[0] += 1
        if calls[0] < 3:
            raise OperationalError("the database system is starting up")
        return "written"

    assert patience.patiently(flaky, "default", 60, "writing") == "written"
    assert calls[0] == 3

    def broken() -> str:
        calls[0] += 1
        raise IntegrityError("duplicate key")

    calls[0] = 0
    with pytest.raises(IntegrityError):
        patience.patiently(broken, "default", 60)
    assert calls[0] == 1                            # a bug is not retried

    def away() -> str:
        raise OperationalError("connection refused")

    with pytest.raises(OperationalError):           # no patience: raised at once
        patience.patiently(away, "default", 0)
