"""The job state machine, on the database (grader.db.models.Job), for any transport.

    queued --claim--> grading (stage, heartbeat) --finish--> graded
                         |  \\--fail--> failed (traceback kept)
                         |--release (worker shut down)--> queued (the try not counted)
                         \\--stale heartbeat--> queued again, or failed after max_attempts

Every transition is one conditional UPDATE (`WHERE state = ... AND worker = ...`), so two
workers never take the same job and a worker that was presumed dead cannot overwrite the
job once another holds it, on SQLite and PostgreSQL alike. The idempotency key is the
submission's sha256 with the challenge and its version: the same work enqueued twice is one
job (graded once) unless a regrade is forced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from grader.db.models import Job, JobState, Submission, Upload

DEFAULT_ALIAS = "default"


def idempotency_key(sha256: str, challenge: str, version: str) -> str:
    return f"{sha256}:{challenge or '-'}:{version or '-'}"


def challenge_version(challenge_id: str) -> str:
    """The current version of a challenge as `label@digest` ('' when it has no kit or cannot
    be loaded: the grading itself says why)."""
    if not challenge_id:
        return ""
    from grader.challenge import find_challenge
    from grader.errors import ChallengeConfigError
    from grader.versions import current_version

    try:
        version = current_version(find_challenge(challenge_id, allow_path=False))
    except ChallengeConfigError:
        return ""
    return f"{version.label}@{version.digest[:16]}" if version is not None else ""


@dataclass(frozen=True)
class Work:
    """What a job grades: an upload's bytes, or a stored submission's files."""

    sha256: str
    challenge: str
    upload_id: int | None = None
    regrade_of: str | None = None


def work_for_upload(upload: Upload) -> Work:
    challenge = upload.challenge or (upload.invite.opening.challenge if upload.invite else "")
    return Work(upload.sha256, challenge, upload_id=upload.pk)


def work_for_submission(submission: Submission, challenge: str = "") -> Work:
    return Work(submission.sha256, challenge or submission.challenge,
                regrade_of=submission.pk)


def enqueue(work: Work, using: str = DEFAULT_ALIAS, force: bool = False,
            max_attempts: int = 3) -> Job:
    """The job for `work`: a new one, or the one already holding its idempotency key
    (queued again when `force` and it is not grading now)."""
    return enqueue_work(work, using, force, max_attempts)[0]


def enqueue_work(work: Work, using: str = DEFAULT_ALIAS, force: bool = False,
                 max_attempts: int = 3) -> tuple[Job, bool]:
    """enqueue(), and whether this call queued it (new, or a finished job forced again): a
    transport that signals its workers sends a message then, and only then."""
    version = challenge_version(work.challenge)
    key = idempotency_key(work.sha256, work.challenge, version)
    jobs = Job.objects.using(using)
    try:
        with transaction.atomic(using=using):
            job, created = jobs.get_or_create(idempotency_key=key, defaults={
                "upload_id": work.upload_id, "regrade_of_id": work.regrade_of,
                "challenge": work.challenge, "sha256": work.sha256,
                "challenge_version": version, "max_attempts": max_attempts})
    except IntegrityError:      # enqueued by another process at the same moment
        job, created = jobs.get(idempotency_key=key), False
    if not created and force and job.state in (JobState.GRADED, JobState.FAILED):
        created = jobs.filter(pk=job.pk, state=job.state).update(
            state=JobState.QUEUED, stage="", attempts=0, worker="", error="",
            queued_at=timezone.now(), started_at=None, finished_at=None,
            heartbeat_at=None) == 1
        job.refresh_from_db(using=using)
    return job, created


def claim(worker: str, using: str = DEFAULT_ALIAS, job_id: int | None = None) -> Job | None:
    """Take the oldest queued job (or job `job_id`, for a transport that names it) for
    `worker`, atomically; None when there is none to take."""
    jobs = Job.objects.using(using)
    for _ in range(20):     # lost races: another worker took the one we saw; look again
        queued = jobs.filter(state=JobState.QUEUED)
        if job_id is not None:
            queued = queued.filter(pk=job_id)
        candidate = queued.order_by("queued_at", "id").values_list("id", flat=True).first()
        if candidate is None:
            return None
        now = timezone.now()
        taken = jobs.filter(pk=candidate, state=JobState.QUEUED).update(
            state=JobState.GRADING, worker=worker, attempts=F("attempts") + 1, stage="",
            started_at=now, heartbeat_at=now, finished_at=None)
        if taken == 1:
            return jobs.get(pk=candidate)
    return None


def _held(job_id: int, worker: str, using: str) -> QuerySet[Job]:
    return Job.objects.using(using).filter(pk=job_id, worker=worker, state=JobState.GRADING)


def set_stage(job_id: int, worker: str, stage: str, using: str = DEFAULT_ALIAS) -> bool:
    """Record the stage a grading is in (and that its worker is alive)."""
    return _held(job_id, worker, using).update(stage=stage[:100],
                                               heartbeat_at=timezone.now()) == 1


def heartbeat(job_ids: list[int], worker: str, using: str = DEFAULT_ALIAS) -> int:
    return Job.objects.using(using).filter(pk__in=job_ids, worker=worker,
                                           state=JobState.GRADING).update(
        heartbeat_at=timezone.now())


def finish(job_id: int, worker: str, submission_id: str, exit_code: int,
           using: str = DEFAULT_ALIAS) -> bool:
    """The report is stored: the job is graded (False when the job is no longer this
    worker's: another took it over, and its own result will count)."""
    with transaction.atomic(using=using):
        done = _held(job_id, worker, using).update(
            state=JobState.GRADED, stage="", result_id=submission_id, exit_code=exit_code,
            finished_at=timezone.now(), error="") == 1
        if done:
            job = Job.objects.using(using).get(pk=job_id)
            # this job's upload, and uploads of the same bytes waiting on it (one grading)
            Upload.objects.using(using).filter(
                Q(pk=job.upload_id) | Q(submission__isnull=True, challenge=job.challenge),
                sha256=job.sha256, accepted=True).update(submission_id=submission_id)
    return done


def fail(job_id: int, worker: str, error: str, retry: bool = False,
         using: str = DEFAULT_ALIAS) -> str:
    """The grading raised. `retry` (the environment, not the submission, failed): queued
    again while tries are left. Returns the state the job is now in."""
    now = timezone.now()
    if retry:
        again = _held(job_id, worker, using).filter(attempts__lt=F("max_attempts")).update(
            state=JobState.QUEUED, worker="", stage="", error=error, queued_at=now)
        if again:
            return JobState.QUEUED
    _held(job_id, worker, using).update(state=JobState.FAILED, stage="", error=error,
                                        finished_at=now)
    return JobState.FAILED


def release(job_id: int, worker: str, using: str = DEFAULT_ALIAS) -> bool:
    """The worker stops before the job is done (shut down, interrupted): the job goes back
    to the queue and this try does not count."""
    return _held(job_id, worker, using).update(
        state=JobState.QUEUED, worker="", stage="", attempts=F("attempts") - 1,
        heartbeat_at=None) == 1


def reclaim_stale(stale_after: dt.timedelta, using: str = DEFAULT_ALIAS) -> list[int]:
    """Jobs whose worker stopped answering (no heartbeat for `stale_after`): queued again
    for another worker, or failed once they used their tries (a submission that kills its
    worker every time is not retried forever). Returns the ids touched."""
    return [job_id for job_id, _ in reclaim(stale_after, using)]


def reclaim(stale_after: dt.timedelta, using: str = DEFAULT_ALIAS,
            worker: str | None = None) -> list[tuple[int, str]]:
    """reclaim_stale() saying what became of each job: (id, "queued" or "failed"). With
    `worker`: that worker's jobs whatever their heartbeat (it is known to be dead: a worker
    of the same name starting again). The job's error keeps each lost try, newest first,
    with the stage the worker was in."""
    jobs = Job.objects.using(using)
    found = jobs.filter(state=JobState.GRADING)
    if worker is not None:
        found = found.filter(worker=worker)
    else:
        found = found.filter(heartbeat_at__lt=timezone.now() - stale_after)
    stale = list(found.values_list("id", "worker", "attempts", "max_attempts", "heartbeat_at",
                                   "stage"))
    touched = []
    for job_id, name, attempts, max_attempts, beat, stage in stale:
        held = jobs.filter(pk=job_id, state=JobState.GRADING, worker=name, heartbeat_at=beat)
        when = f"{beat:%Y-%m-%d %H:%M:%S} UTC" if beat is not None else "never"
        said = (f"worker {name} stopped answering while grading"
                f"{f' (stage {stage})' if stage else ''}: last heartbeat {when}, try "
                f"{attempts} of {max_attempts}")
        earlier = Concat(Value(said + "\n"), Substr(F("error"), 1, 4000),
                         output_field=TextField())
        if attempts >= max_attempts:
            n = held.update(state=JobState.FAILED, stage="", finished_at=timezone.now(),
                            error=Concat(Value("not tried again: a submission that stops its "
                                               "worker every time is reported, not retried\n"),
                                         earlier, output_field=TextField()))
            state = JobState.FAILED
        else:
            n = held.update(state=JobState.QUEUED, worker="", stage="", error=earlier,
                            queued_at=timezone.now())
            state = JobState.QUEUED
        if n:
            touched.append((job_id, str(state)))
    return touched


def overdue(resend_after: float, window: float, using: str = DEFAULT_ALIAS,
            limit: int = 500) -> list[tuple[int, str]]:
    """(id, sha256) of queued jobs whose wait just crossed `resend_after` seconds, or twice,
    four times ... that (a crossing within the last `window` seconds, the time between two
    looks): their message is sent again in case the broker lost it. A duplicate costs a
    worker one look at the row; the doubling keeps a long queue from being flooded."""
    now = timezone.now()
    oldest = now - dt.timedelta(seconds=resend_after)
    rows = Job.objects.using(using).filter(state=JobState.QUEUED, queued_at__lte=oldest) \
        .order_by("queued_at", "id").values_list("id", "sha256", "queued_at")[:limit]
    due = []
    for job_id, sha256, queued_at in rows:
        age = (now - queued_at).total_seconds()
        threshold = resend_after
        while threshold * 2 <= age:
            threshold *= 2
        if age - threshold < window:
            due.append((job_id, sha256))
    return due


def counts(using: str = DEFAULT_ALIAS) -> dict[str, int]:
    """state -> number of jobs (every state present)."""
    found = dict(Job.objects.using(using).order_by().values_list("state").annotate(
        n=Count("id")))
    return {state: int(found.get(state, 0)) for state in JobState.values}
