"""The Celery application of the distributed transport: its configuration, and sending a
job's message (the task that receives it is registered by grader/jobs/worker.py).

The broker carries only signals: a message is a job id with the submission's sha256; the
job's row in the store (grader/jobs/queue.py) holds the truth, so a message delivered twice,
late, or for a job another worker already took costs one look at the row and nothing else.
The submission's bytes and the report bundle live in the store, never in the broker.

Delivery: late acknowledgement (a message is acknowledged after its job was graded and the
report stored, or handed back), one message prefetched per grading thread, no result backend
(the store is the result), JSON only, the broker reconnected forever (startup included) and
the gradings in progress kept while it is away. A worker that dies leaves its message
unacknowledged; grader's own sweep (grader/jobs/sweep.py) queues its job again from the
database well before the broker's visibility timeout would redeliver it.

Celery's own tools work on the worker module (`celery -A grader.jobs.worker inspect ping`,
`... inspect active`, `... events`, Flower), with GRADER_BROKER_URL naming the broker.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from celery import Celery

from grader.jobs.config import broker_url

log = logging.getLogger("grader.jobs")

QUEUE = "grader"
TASK = "grader.grade"
#: the Redis transport redelivers a message not acknowledged within this many seconds; above
#: any grading's budget, so a long grading is never handed to a second worker by the broker
VISIBILITY_TIMEOUT = 6 * 3600


def make_app(url: str | None = None) -> Celery:
    """A Celery app on the broker `url` (default GRADER_BROKER_URL) with grader's task."""
    app = Celery("grader", broker=url or broker_url(), fixups=[], set_as_current=False)
    app.conf.update(
        task_default_queue=QUEUE,
        task_acks_late=True,                    # acknowledged after the report is stored
        task_reject_on_worker_lost=True,        # a lost worker's message is not acknowledged
        task_acks_on_failure_or_timeout=True,   # a raising task is failed in the row already
        worker_prefetch_multiplier=1,           # one message waiting per grading thread
        task_ignore_result=True,
        result_backend=None,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry=True,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,     # the broker restarting: wait for it
        broker_channel_error_retry=True,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        enable_utc=True,
        timezone="UTC",
    )
    return app


@cache
def app_for(url: str) -> Celery:
    """One Celery app per broker URL in this process (its connection and producer pools)."""
    return make_app(url)


#: publishing retries while the broker is unreachable: at once, then after 1 s and 2 s (then
#: the job waits in the store for the next resend)
RETRY_POLICY = {"max_retries": 3, "interval_start": 0, "interval_step": 1, "interval_max": 2}


def message(job_id: int, sha256: str) -> dict[str, Any]:
    """What a job's message carries (the task's keyword arguments)."""
    return {"job_id": int(job_id), "sha256": str(sha256)}


def send(app: Celery, job_id: int, sha256: str) -> bool:
    """Publish job `job_id`'s message; False (logged) when the broker cannot be reached."""
    try:
        app.send_task(TASK, kwargs=message(job_id, sha256), queue=QUEUE, retry=True,
                      retry_policy=RETRY_POLICY)
    except Exception as exc:    # kombu's OperationalError, a socket error, a refused login
        log.warning("grader: job %s is in the store but its message could not be sent (%s: "
                    "%s); it is sent again later", job_id, type(exc).__name__, exc)
        return False
    return True
