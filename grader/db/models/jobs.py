"""A grading job (grader/jobs/): what to grade (an upload's bytes, or a stored submission's
files for a regrade), its state (queued -> grading, with the current stage -> graded or
failed), who holds it (worker, heartbeat), tries, timestamps, and the idempotency key
(sha256 + challenge version) that makes the same work enqueued twice one job."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class JobState(models.TextChoices):
    QUEUED = "queued", "queued"
    GRADING = "grading", "grading"
    GRADED = "graded", "graded"
    FAILED = "failed", "failed"


class Job(models.Model):
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    stage = models.CharField(max_length=100, blank=True)   # while grading: e.g. hidden_tests
    upload = models.ForeignKey("grader.Upload", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="jobs")
    #: a stored submission graded again from its kept files (None for an upload)
    regrade_of = models.ForeignKey("grader.Submission", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="regrade_jobs")
    challenge = models.CharField(max_length=200, blank=True)  # '' : as submission.yaml says
    sha256 = models.CharField(max_length=64)
    challenge_version = models.CharField(max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=400, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)                    # the last failure, with traceback
    exit_code = models.IntegerField(null=True, blank=True)  # grader's, for the graded report
    result = models.ForeignKey("grader.Submission", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="jobs")

    class Meta:
        ordering = ("queued_at", "id")
        indexes = (models.Index(fields=("state", "queued_at"), name="job_state_queued"),)

    def __str__(self) -> str:
        stage = f": {self.stage}" if self.state == JobState.GRADING and self.stage else ""
        return f"job {self.id} {self.state}{stage}"

    @property
    def state_text(self) -> str:
        """What a reviewer reads: `queued`, `grading: hidden_tests`, `graded`, `failed`."""
        if self.state == JobState.GRADING and self.stage:
            return f"grading: {self.stage}"
        return str(self.state)
