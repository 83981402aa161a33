"""The distributed transport (issue 24): jobs written to the store exactly as the embedded
queue writes them, their ids sent through Celery's broker (GRADER_BROKER_URL: Redis, or
RabbitMQ through the same setting) to the `grader worker` processes on the Docker hosts.

Sending a message is tried a few times over about 3 s; a broker that stays away does not fail
the enqueue (the job is in the store, which is what counts): the id is kept in `unsent`, for
`resend_unsent()` (grader run --queue calls it while it waits), and the workers' sweep sends a
message again for any job left waiting past GRADER_JOB_RESEND_AFTER.
"""

from __future__ import annotations

import threading

from grader.jobs.base import StoreQueue
from grader.jobs.celery_app import app_for, send
from grader.store import Store


class CeleryQueue(StoreQueue):
    """The JobQueue whose workers are `grader worker` processes reached through a broker."""

    distributed = True

    def __init__(self, store: Store, url: str | None = None,
                 max_tries: int | None = None) -> None:
        from grader.jobs.config import broker_url

        super().__init__(store, max_tries)
        found = url or broker_url()
        if not found:
            raise ValueError("CeleryQueue needs a broker URL (GRADER_BROKER_URL)")
        self.url = found
        self.app = app_for(found)
        self.unsent: dict[int, str] = {}
        self._lock = threading.Lock()

    def _signal(self, job_id: int, sha256: str, queued: bool) -> None:
        if not queued:
            return      # waiting, grading or graded already: its message exists or is done
        if not send(self.app, job_id, sha256):
            with self._lock:
                self.unsent[job_id] = sha256

    def resend_unsent(self) -> int:
        """Send the messages that could not be sent before; how many are still unsent."""
        with self._lock:
            waiting = dict(self.unsent)
        for job_id, sha256 in waiting.items():
            if send(self.app, job_id, sha256):
                with self._lock:
                    self.unsent.pop(job_id, None)
        with self._lock:
            return len(self.unsent)

    def describe(self) -> str:
        """The broker, without its password."""
        from kombu.utils.url import maybe_sanitize_url

        return str(maybe_sanitize_url(self.url))

