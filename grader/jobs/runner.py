"""Grading one claimed job, whatever the transport: the bytes come out of the database into a
temporary folder, grader.pipeline.Grader grades them (with the role profile of the upload's
opening, when it names one; its stage callback records the current stage on the job), the
report bundle goes into the store, and only then is the job marked graded (late
acknowledgement: a worker that dies before leaves the job to be taken again). A grading that
raises marks the job failed with its traceback; one that the environment broke (no Docker
engine, the database away for longer than GRADER_DB_PATIENCE) is queued again while tries
are left; an interrupted one (the worker shuts down) goes back to the queue. Every write
waits for a database that is restarting (grader/jobs/patience.py).
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.db import InterfaceError, OperationalError

from grader.db.models import Job, Submission, Upload
from grader.errors import EnvironmentProblem
from grader.jobs import queue
from grader.jobs.patience import PatientStore, forget_connection, patiently
from grader.pipeline import GradeOutcome, Grader
from grader.settings import Settings
from grader.store import Store
from grader.upload_context import UploadContext

log = logging.getLogger("grader.jobs")
T = TypeVar("T")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class JobResult:
    job_id: int
    state: str                    # graded / failed / queued (retried or released)
    submission_id: str | None = None
    message: str = ""


def _profile(job: Job, store: Store) -> tuple[str | None, UploadContext | None]:
    """The role profile of the opening an upload came through (issue 25), if it names one,
    and what the service knows of the upload: the opening's pinned framework (the profile's
    pin: another framework is a red flag) and its lateness (a report message)."""
    if job.upload_id is None:
        return None, None
    row = Upload.objects.using(store.alias).filter(pk=job.upload_id).values_list(
        "invite__opening__profile", "invite__opening__framework", "late_minutes",
        "invite__opening__window_minutes").first()
    if row is None:
        return None, None
    profile, framework, late, window = row
    return profile or None, UploadContext(framework or "", late or 0, window or 0)


def _materialize(job: Job, store: Store, folder: Path) -> tuple[Path, str]:
    """The job's submission as a zip in `folder`, and how the report names its source."""
    if job.upload_id is not None:
        upload = Upload.objects.using(store.alias).get(pk=job.upload_id)
        name = _SAFE_NAME.sub("-", Path(upload.filename or "").name).strip(".-") or "upload"
        path = folder / (name if name.endswith(".zip") else f"{name}.zip")
        path.write_bytes(bytes(upload.data))
        if upload.invite_id is None and upload.filename:   # enqueued by `grader run --queue`
            return path, upload.filename
        return path, f"upload {upload.pk} ({upload.filename or 'unnamed'})"
    if job.regrade_of_id is not None:
        written = store.write_source(job.regrade_of_id, folder)
        if written is None:
            raise LookupError(f"the store keeps no files of submission {job.regrade_of_id}")
        return written, f"store:{job.regrade_of_id}"
    raise LookupError(f"job {job.pk} names nothing to grade (no upload, no stored submission)")


def grade_job(job: Job, worker: str, store: Store, settings: Settings | None = None,
              patience: float | None = None) -> JobResult:
    """Grade a job this worker holds (queue.claim) and record the outcome on it. Writes to
    the database wait up to `patience` seconds (default GRADER_DB_PATIENCE) for it to come
    back (grader/jobs/patience.py); a database still away after that leaves the job queued
    again while tries are left, like an environment failure."""
    from grader.challenge import find_challenge
    from grader.jobs.config import JobTiming

    alias = store.alias
    wait = JobTiming.from_env().db_patience if patience is None else patience
    patient = PatientStore(alias, wait) if wait > 0 else store

    def on_stage(stage: str) -> None:
        try:
            queue.set_stage(job.pk, worker, stage, using=alias)
        except (OperationalError, InterfaceError) as exc:   # the stage is only shown: the
            forget_connection(alias)                         # grading goes on, and the
            log.warning("grader: job %s: stage %s not recorded (%s)", job.pk, stage,
                        type(exc).__name__)                  # heartbeat keeps the job held

    def settle(fn: Callable[[], T], what: str) -> T:
        return patiently(fn, alias, wait, what)

    folder = Path(tempfile.mkdtemp(prefix=f"grader-job-{job.pk}-"))
    try:
        (folder / "in").mkdir()
        path, source = settle(lambda: _materialize(job, patient, folder / "in"),
                              "reading the submission")
        challenge = find_challenge(job.challenge, allow_path=False) if job.challenge else None
        profile, context = settle(lambda: _profile(job, store), "reading the profile")
        grader = Grader(out_dir=folder / "out", challenge=challenge,
                        settings=settings or Settings.from_env(), store=patient,
                        profile=profile, context=context)
        outcome: GradeOutcome = grader.grade(path, source=source, on_stage=on_stage)
        sub_id = outcome.report.submission.id
        if not settle(lambda: Submission.objects.using(alias).filter(pk=sub_id).exists(),
                      "checking the report"):
            raise RuntimeError(f"the report of {sub_id} was written but the store did not "
                               "keep it (see the log for the store's error)")
        if settle(lambda: queue.finish(job.pk, worker, sub_id, outcome.exit_code, using=alias),
                  "marking the job graded"):
            return JobResult(job.pk, "graded", sub_id)
        return JobResult(job.pk, "graded", sub_id, "taken over by another worker meanwhile")
    except KeyboardInterrupt:     # Ctrl-C, SIGTERM, or the pool shutting down
        settle(lambda: queue.release(job.pk, worker, using=alias), "giving the job back")
        raise
    except (EnvironmentProblem, OperationalError, InterfaceError) as exc:
        error = f"{exc}\n\n{traceback.format_exc()}"
        state = settle(lambda: queue.fail(job.pk, worker, error, retry=True, using=alias),
                       "recording the failure")
        log.warning("grader: job %s: the environment failed (%s): %s", job.pk,
                    exc.__class__.__name__, state)
        return JobResult(job.pk, state, message=str(exc))
    except Exception as exc:
        error = traceback.format_exc()
        state = settle(lambda: queue.fail(job.pk, worker, error, using=alias),
                       "recording the failure")
        log.error("grader: job %s failed: %s: %s", job.pk, type(exc).__name__, exc)
        return JobResult(job.pk, state, message=f"{type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
