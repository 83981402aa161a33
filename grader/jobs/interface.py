"""The job queue's interface, as the web pages and the command line use it.

    queue = default_queue(store)          # the embedded one unless configured otherwise
    job_id = queue.enqueue_upload(upload.pk)
    queue.job(job_id).state_text          # "queued", "grading: hidden_tests", "graded", ...

A transport implements `JobQueue`. `EmbeddedQueue` writes the job row and wakes the worker
pools of this process (grader/jobs/pool.py); a distributed transport (issue 24: Celery with a
Redis broker, chosen by GRADER_BROKER_URL) writes the same row and sends the job id to its
workers. Either way the row holds the truth: state, stage, tries, worker, result.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Protocol

from grader.errors import EnvironmentProblem
from grader.store import Store


@dataclass(frozen=True)
class JobView:
    """A job as readers see it (no ORM object leaks out of the interface)."""

    id: int
    state: str                      # queued / grading / graded / failed
    stage: str                      # while grading: the stage it is in
    attempts: int
    max_attempts: int
    worker: str
    queued_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str                      # the last failure, with its traceback
    submission_id: str | None       # the graded submission (state graded)
    upload_id: int | None
    regrade_of: str | None

    @property
    def state_text(self) -> str:
        return f"grading: {self.stage}" if self.state == "grading" and self.stage else self.state


class JobQueue(Protocol):
    def enqueue_upload(self, upload_id: int, force: bool = False) -> int:
        """Queue the grading of an accepted upload; the job id (the existing job when the
        same bytes were queued for the same challenge version, unless `force`)."""

    def enqueue_submission(self, submission_id: str, force: bool = False,
                           challenge: str = "") -> int:
        """Queue the regrading of a stored submission from its kept files."""

    def job(self, job_id: int) -> JobView | None:
        """A job's state, or None."""


class EmbeddedQueue:
    """Jobs in the store's database, graded by the embedded pools of this process (or any
    process running one on the same database)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _enqueued(self, job_id: int) -> int:
        from grader.jobs.pool import wake_all

        wake_all()
        return job_id

    def enqueue_upload(self, upload_id: int, force: bool = False) -> int:
        from grader.db.models import Upload
        from grader.jobs import queue

        upload = Upload.objects.using(self.store.alias).select_related(
            "invite__opening").get(pk=upload_id)
        if not upload.accepted:
            raise ValueError(f"upload {upload_id} was refused at intake ({upload.verdict}): "
                             "there is nothing to grade")
        job = queue.enqueue(queue.work_for_upload(upload), using=self.store.alias, force=force)
        return self._enqueued(job.pk)

    def enqueue_submission(self, submission_id: str, force: bool = False,
                           challenge: str = "") -> int:
        from grader.db.models import Submission
        from grader.jobs import queue

        submission = Submission.objects.using(self.store.alias).get(pk=submission_id)
        job = queue.enqueue(queue.work_for_submission(submission, challenge),
                            using=self.store.alias, force=force)
        return self._enqueued(job.pk)

    def job(self, job_id: int) -> JobView | None:
        from grader.db.models import Job

        row = Job.objects.using(self.store.alias).filter(pk=job_id).first()
        if row is None:
            return None
        return JobView(id=row.pk, state=str(row.state), stage=row.stage,
                       attempts=row.attempts, max_attempts=row.max_attempts,
                       worker=row.worker, queued_at=row.queued_at,
                       started_at=row.started_at, finished_at=row.finished_at,
                       error=row.error, submission_id=row.result_id,
                       upload_id=row.upload_id, regrade_of=row.regrade_of_id)


def default_queue(store: Store) -> JobQueue:
    """The queue the environment configures: the embedded one, unless GRADER_BROKER_URL
    names a broker (the distributed transport of issue 24, not built yet)."""
    if os.environ.get("GRADER_BROKER_URL", "").strip():
        raise EnvironmentProblem(
            "GRADER_BROKER_URL is set, but this grader has no distributed job transport yet "
            "(issue 24)", fix="unset GRADER_BROKER_URL to use the embedded worker pool")
    return EmbeddedQueue(store)
