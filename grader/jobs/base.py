"""What every transport shares: a job as readers see it (`JobView`), and the queue on the
store's database (`StoreQueue`): enqueueing writes the job row (grader/jobs/queue.py: the
idempotency key makes the same work one job) and then signals the workers, which is all a
transport adds (`_signal`: wake this process's pools, or send a message through a broker).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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


class StoreQueue:
    """Jobs in the store's database; a subclass says how its workers learn of a new one."""

    #: whether the jobs are graded by other processes (`grader worker`) rather than this one
    distributed = False

    def __init__(self, store: Store, max_tries: int | None = None) -> None:
        from grader.jobs.config import JobTiming

        self.store = store
        self.max_tries = max_tries or JobTiming.from_env().max_tries

    def _signal(self, job_id: int, sha256: str, queued: bool) -> None:
        """Tell the workers that job `job_id` waits (`queued`: this enqueue queued it)."""
        raise NotImplementedError

    def enqueue_upload(self, upload_id: int, force: bool = False) -> int:
        from grader.db.models import Upload
        from grader.jobs import queue

        upload = Upload.objects.using(self.store.alias).select_related(
            "invite__opening").get(pk=upload_id)
        if not upload.accepted:
            raise ValueError(f"upload {upload_id} was refused at intake ({upload.verdict}): "
                             "there is nothing to grade")
        job, queued = queue.enqueue_work(queue.work_for_upload(upload), using=self.store.alias,
                                         force=force, max_attempts=self.max_tries)
        self._signal(job.pk, job.sha256, queued)
        return job.pk

    def enqueue_submission(self, submission_id: str, force: bool = False,
                           challenge: str = "") -> int:
        from grader.db.models import Submission
        from grader.jobs import queue

        submission = Submission.objects.using(self.store.alias).get(pk=submission_id)
        job, queued = queue.enqueue_work(queue.work_for_submission(submission, challenge),
                                         using=self.store.alias, force=force,
                                         max_attempts=self.max_tries)
        self._signal(job.pk, job.sha256, queued)
        return job.pk

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
