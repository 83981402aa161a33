"""Where an upload is in its grading, as a reviewer reads it: `refused` (the intake said no),
`received` (kept, not queued), then its job's `queued`, `grading` (with its stage), `graded`
(with the submission) or `failed` (with the last line of its error). The job is the one the
pages find too (grader/web/pages/lookup.py: the same bytes for the same challenge are one
job, whichever upload queued them), read through the queue's interface."""

from __future__ import annotations

from dataclasses import dataclass

from grader.db.models import Upload
from grader.web.pages.lookup import job_of, job_queue


@dataclass(frozen=True)
class UploadState:
    state: str                  # refused / received / queued / grading / graded / failed
    stage: str = ""
    job: int | None = None
    submission: str | None = None
    error: str = ""

    @property
    def text(self) -> str:
        return f"grading: {self.stage}" if self.state == "grading" and self.stage else self.state


def last_line(error: str) -> str:
    lines = [line.strip() for line in error.strip().splitlines() if line.strip()]
    return lines[-1][:500] if lines else ""


def upload_state(upload: Upload) -> UploadState:
    if not upload.accepted:
        return UploadState("refused")
    view = job_of(upload)
    if view is None:
        return UploadState("received", submission=upload.submission_id)
    submission = upload.submission_id or (view.submission_id if view.state == "graded"
                                          else None)
    return UploadState(view.state, view.stage if view.state == "grading" else "", view.id,
                       submission, last_line(view.error) if view.state == "failed" else "")


def enqueue(upload: Upload) -> int:
    """Queue the grading of an accepted upload (the embedded pool wakes at once)."""
    return job_queue().enqueue_upload(upload.pk)
