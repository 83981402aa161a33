"""What reviewers record: manual scores after the explain-your-code call (append-only: the
latest per criterion counts, earlier rows are the history), decisions on a candidate
(advance / hold / reject, with a reason; history kept the same way), and API tokens (kept as
their sha256)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ManualScore(models.Model):
    submission = models.ForeignKey("grader.Submission", on_delete=models.CASCADE,
                                   related_name="manual_scores")
    criterion = models.CharField(max_length=200)
    points = models.FloatField()
    notes = models.TextField(blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="manual_scores")
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("scored_at", "id")
        indexes = (models.Index(fields=("submission", "criterion"), name="manual_score_crit"),)

    def __str__(self) -> str:
        return f"{self.criterion}: {self.points:g} ({self.submission_id})"


class Outcome(models.TextChoices):
    ADVANCE = "advance", "advance"
    HOLD = "hold", "hold"
    REJECT = "reject", "reject"


class Decision(models.Model):
    invite = models.ForeignKey("grader.Invite", on_delete=models.CASCADE,
                               related_name="decisions")
    #: the graded work the decision was made on
    submission = models.ForeignKey("grader.Submission", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="decisions")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="decisions")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("decided_at", "id")

    def __str__(self) -> str:
        return f"{self.outcome} ({self.invite_id})"


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    token_hint = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.name} ({self.token_hint}..., {self.user})"
