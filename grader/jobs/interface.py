"""The job queue's interface, as the web pages and the command line use it.

    queue = default_queue(store)          # the embedded one unless configured otherwise
    job_id = queue.enqueue_upload(upload.pk)
    queue.job(job_id).state_text          # "queued", "grading: hidden_tests", "graded", ...

A transport implements `JobQueue`. `EmbeddedQueue` writes the job row and wakes the worker
pools of this process (grader/jobs/pool.py); `CeleryQueue` (grader/jobs/transport.py, chosen
by GRADER_BROKER_URL) writes the same row and sends the job id through the broker to the
`grader worker`s. Either way the row holds the truth: state, stage, tries, worker, result;
the workers are signalled only when the call queued the job (the same bytes enqueued again
while their job waits, runs or is graded signal nothing: graded once).
"""

from __future__ import annotations

from typing import Protocol

from grader.jobs.base import JobView, StoreQueue
from grader.store import Store

__all__ = ["EmbeddedQueue", "JobQueue", "JobView", "default_queue", "is_distributed"]


class JobQueue(Protocol):
    def enqueue_upload(self, upload_id: int, force: bool = False) -> int:
        """Queue the grading of an accepted upload; the job id (the existing job when the
        same bytes were queued for the same challenge version, unless `force`)."""

    def enqueue_submission(self, submission_id: str, force: bool = False,
                           challenge: str = "") -> int:
        """Queue the regrading of a stored submission from its kept files."""

    def job(self, job_id: int) -> JobView | None:
        """A job's state, or None."""


class EmbeddedQueue(StoreQueue):
    """Jobs in the store's database, graded by the embedded pools of this process (or any
    process running one on the same database)."""

    def _signal(self, job_id: int, sha256: str, queued: bool) -> None:
        from grader.jobs.pool import wake_all

        wake_all()


def default_queue(store: Store) -> JobQueue:
    """The queue the environment configures: the distributed one (Celery, grader/jobs/
    transport.py) when GRADER_BROKER_URL names a broker, else the embedded one."""
    from grader.jobs.config import broker_url

    if broker_url():
        from grader.jobs.transport import CeleryQueue

        return CeleryQueue(store)
    return EmbeddedQueue(store)


def is_distributed(queue: JobQueue) -> bool:
    """Whether the queue's jobs are graded by other processes (`grader worker`), so this
    one starts no pool of its own."""
    return bool(getattr(queue, "distributed", False))
