"""The job queue's state machine (grader/jobs/queue.py) on a real SQLite store, without
Docker: the same work enqueued twice is one job, two workers never take the same job, a
grading that raises is `failed` with its traceback, a worker that stops answering leaves its
job to another (and a job that keeps killing workers stops after its tries), a worker
shutting down gives its job back without counting the try, and the embedded pool runs it
all in threads."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from pathlib import Path

import pytest

from grader.store import Store


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "db" / "grader.db")


def _upload(store: Store, data: bytes, challenge: str = "wordfreq") -> int:
    from grader.db.models import Upload

    return Upload.objects.using(store.alias).create(
        filename="work.zip", data=data, size=len(data), accepted=True, verdict="accepted",
        sha256=hashlib.sha256(data).hexdigest(), challenge=challenge).pk


def _enqueue(store: Store, data: bytes, challenge: str = "wordfreq", **kw: object) -> int:
    from grader.db.models import Upload
    from grader.jobs import queue

    upload = Upload.objects.using(store.alias).get(pk=_upload(store, data, challenge))
    return queue.enqueue(queue.work_for_upload(upload), using=store.alias, **kw).pk  # type: ignore[arg-type]


def test_the_same_work_enqueued_twice_is_one_job(store: Store) -> None:
    from grader.db.models import Job
    from grader.jobs import queue

    first = _enqueue(store, b"zip-1")
    assert _enqueue(store, b"zip-1") == first               # another upload, same bytes
    assert _enqueue(store, b"zip-2") != first
    assert _enqueue(store, b"zip-1", challenge="other") != first
    job = Job.objects.using(store.alias).get(pk=first)
    assert job.idempotency_key.startswith(hashlib.sha256(b"zip-1").hexdigest() + ":wordfreq:")
    claimed = queue.claim("w1", using=store.alias)
    assert claimed is not None and claimed.pk == first
    assert queue.finish(first, "w1", _submission(store), 0, using=store.alias)
    assert _enqueue(store, b"zip-1") == first               # graded: not graded again ...
    assert Job.objects.using(store.alias).get(pk=first).state == "graded"
    assert _enqueue(store, b"zip-1", force=True) == first   # ... unless forced
    assert Job.objects.using(store.alias).get(pk=first).state == "queued"


def _submission(store: Store, sub_id: str = "ada-0123456789ab") -> str:
    from grader.db.models import Submission

    Submission.objects.using(store.alias).get_or_create(
        id=sub_id, defaults={"status": "graded", "graded_at": "t", "report_json": "{}"})
    return sub_id


def test_two_workers_never_take_the_same_job(store: Store) -> None:
    from django.db import connections

    from grader.jobs import queue

    ids = {_enqueue(store, f"zip-{n}".encode()) for n in range(40)}
    taken: dict[str, list[int]] = {}
    start = threading.Barrier(6)

    def work(name: str) -> None:
        mine = taken.setdefault(name, [])
        start.wait()
        try:
            while (job := queue.claim(name, using=store.alias)) is not None:
                mine.append(job.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [job for jobs in taken.values() for job in jobs]
    assert sorted(every) == sorted(ids)                     # each once, none lost
    assert sum(1 for jobs in taken.values() if jobs) >= 2   # it really was a race
    counts = queue.counts(using=store.alias)
    assert counts == {"queued": 0, "grading": 40, "graded": 0, "failed": 0}


def test_a_grading_that_raises_is_failed_with_its_traceback(store: Store) -> None:
    from grader.db.models import Job
    from grader.jobs import queue
    from grader.jobs.runner import grade_job

    job_id = _enqueue(store, b"not a zip", challenge="no-such-challenge")
    job = queue.claim("w1", using=store.alias)
    assert job is not None and job.pk == job_id
    result = grade_job(job, "w1", store)
    row = Job.objects.using(store.alias).get(pk=job_id)
    assert result.state == row.state == "failed"
    assert "Traceback" in row.error and "ChallengeConfigError" in row.error
    assert "no-such-challenge" in row.error and row.finished_at is not None
    assert row.attempts == 1 and row.result_id is None


def test_a_silent_worker_leaves_its_job_to_another_until_the_tries_run_out(
        store: Store) -> None:
    from grader.db.models import Job
    from grader.jobs import queue

    jobs = Job.objects.using(store.alias)
    job_id = _enqueue(store, b"zip", max_attempts=2)
    assert queue.claim("dead", using=store.alias) is not None
    assert queue.set_stage(job_id, "dead", "hidden_tests", using=store.alias)
    assert jobs.get(pk=job_id).state_text == "grading: hidden_tests"
    assert queue.reclaim_stale(dt.timedelta(minutes=2), using=store.alias) == []  # fresh
    old = jobs.get(pk=job_id).heartbeat_at - dt.timedelta(minutes=5)  # type: ignore[operator]
    jobs.filter(pk=job_id).update(heartbeat_at=old)
    assert queue.reclaim_stale(dt.timedelta(minutes=2), using=store.alias) == [job_id]
    row = jobs.get(pk=job_id)
    assert row.state == "queued" and "worker dead stopped answering" in row.error
    taken = queue.claim("alive", using=store.alias)
    assert taken is not None and taken.attempts == 2
    # the presumed-dead worker comes back: it can change nothing any more
    assert not queue.set_stage(job_id, "dead", "late", using=store.alias)
    assert not queue.finish(job_id, "dead", _submission(store), 0, using=store.alias)
    jobs.filter(pk=job_id).update(heartbeat_at=old)  # the second worker dies too
    assert queue.reclaim_stale(dt.timedelta(minutes=2), using=store.alias) == [job_id]
    row = jobs.get(pk=job_id)
    assert row.state == "failed" and "not tried again" in row.error


def test_a_worker_shutting_down_gives_its_job_back_and_the_try_does_not_count(
        store: Store) -> None:
    from grader.db.models import Job
    from grader.jobs import queue

    job_id = _enqueue(store, b"zip")
    assert queue.claim("w1", using=store.alias) is not None
    assert queue.release(job_id, "w1", using=store.alias)
    row = Job.objects.using(store.alias).get(pk=job_id)
    assert (row.state, row.attempts, row.worker) == ("queued", 0, "")
    # an environment failure is retried while tries are left, then failed
    for n in range(3):
        assert queue.claim("w1", using=store.alias) is not None
        state = queue.fail(job_id, "w1", "no engine", retry=True, using=store.alias)
        assert state == ("queued" if n < 2 else "failed")


def test_the_embedded_pool_takes_a_job_and_records_the_outcome(store: Store) -> None:
    from grader.jobs.interface import EmbeddedQueue
    from grader.jobs.pool import EmbeddedPool
    from grader.jobs.runner import JobResult

    results: list[JobResult] = []
    done = threading.Event()

    def told(result: JobResult) -> None:
        results.append(result)
        done.set()

    pool = EmbeddedPool(store, size=2, poll=0.2, heartbeat=0.2, on_result=told).start()
    try:
        upload_id = _upload(store, b"not a zip", challenge="no-such-challenge")
        job_id = EmbeddedQueue(store).enqueue_upload(upload_id)
        assert done.wait(30)
    finally:
        pool.stop(timeout=30)
    view = EmbeddedQueue(store).job(job_id)
    assert view is not None and results[0].job_id == job_id
    assert view.state == view.state_text == "failed" and view.worker.startswith(pool.name)
    assert "ChallengeConfigError" in view.error
    with pytest.raises(ValueError, match="refused at intake"):
        from grader.db.models import Upload

        refused = Upload.objects.using(store.alias).create(
            data=b"x", size=1, sha256="0" * 64, accepted=False, verdict="manifest-missing")
        EmbeddedQueue(store).enqueue_upload(refused.pk)


def test_a_stored_submission_is_regraded_through_the_queue_from_its_kept_files(
        store: Store) -> None:
    from grader.db.models import Job
    from grader.jobs import queue
    from grader.jobs.interface import EmbeddedQueue
    from grader.jobs.runner import grade_job

    sub_id = _submission(store)                  # a row without its files
    jobs = EmbeddedQueue(store)
    job_id = jobs.enqueue_submission(sub_id, challenge="wordfreq")
    assert jobs.enqueue_submission(sub_id, challenge="wordfreq") == job_id
    row = Job.objects.using(store.alias).get(pk=job_id)
    assert row.regrade_of_id == sub_id and row.upload_id is None
    job = queue.claim("w1", using=store.alias)
    assert job is not None
    result = grade_job(job, "w1", store)
    view = jobs.job(job_id)
    assert result.state == "failed" and view is not None and view.regrade_of == sub_id
    assert "the store keeps no files of submission ada-0123456789ab" in view.error
