"""The hiring workflow: an opening (a challenge, its pinned framework, a level and a time
window), the invites sent for it (a candidate's name and e-mail as text, an unguessable token
kept only as its hash, revocable, the clock started by the kit download), and the uploads
received through an invite (the bytes in the database, the intake verdict in plain words,
lateness)."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.db import models
from django.utils import timezone


class Level(models.TextChoices):
    JUNIOR = "junior", "junior"
    MID = "mid", "mid"
    SENIOR = "senior", "senior"


class Opening(models.Model):
    """A role being hired for, graded with one challenge."""

    title = models.CharField(max_length=200)
    challenge = models.CharField(max_length=200)
    #: the kit variant candidates get (`grader kit --framework`); '' when the challenge has one
    framework = models.CharField(max_length=100, blank=True)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.MID)
    window_minutes = models.PositiveIntegerField(default=120)
    #: a role profile (issue 25) by name; None until profiles exist
    profile = models.CharField(max_length=200, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="openings")
    created_at = models.DateTimeField(default=timezone.now)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ("-created_at", "id")

    def __str__(self) -> str:
        return f"{self.title} ({self.challenge}{'/' + self.framework if self.framework else ''})"

    def clean(self) -> None:
        """The challenge must load, and the framework be one of its kits (required when it
        has several): checked by every form that creates an opening (the admin's too)."""
        from django.core.exceptions import ValidationError

        from grader.challenge import find_challenge
        from grader.errors import ChallengeConfigError
        from grader.kit import variants
        from grader.versions import kit_folder

        try:
            challenge = find_challenge(self.challenge, allow_path=False)
        except ChallengeConfigError as exc:
            raise ValidationError({"challenge": str(exc)}) from None
        kits = variants(challenge) if kit_folder(challenge) is not None else []
        if self.framework and self.framework not in kits:
            raise ValidationError({"framework": f"challenge {challenge.id} has no kit "
                                   f"{self.framework!r} (its kits: {', '.join(kits) or 'none'})"})
        if not self.framework and len(kits) > 1:
            raise ValidationError({"framework": f"challenge {challenge.id} has several kits: "
                                   f"pin one ({', '.join(kits)})"})


class Invite(models.Model):
    """One candidate invited to an opening. The link carries a token; only its sha256 is kept
    (grader/db/tokens.py). The clock starts when the kit is first downloaded."""

    opening = models.ForeignKey(Opening, on_delete=models.CASCADE, related_name="invites")
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=254, blank=True)    # text only: nothing is sent
    token_hash = models.CharField(max_length=64, unique=True)
    token_hint = models.CharField(max_length=8, blank=True)  # the token's first characters
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="invites_created")
    created_at = models.DateTimeField(default=timezone.now)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.name} for {self.opening.title}"

    def start_clock(self, at: dt.datetime | None = None) -> bool:
        """The kit was downloaded: the window starts now (once). True when it started now."""
        if self.downloaded_at is not None:
            return False
        self.downloaded_at = at or timezone.now()
        self.deadline = self.downloaded_at + dt.timedelta(minutes=self.opening.window_minutes)
        return True

    def minutes_late(self, at: dt.datetime) -> int:
        """Whole minutes (rounded up) past the deadline at `at`; 0 when on time or when the
        clock never started."""
        if self.deadline is None or at <= self.deadline:
            return 0
        return math.ceil((at - self.deadline).total_seconds() / 60)


class Upload(models.Model):
    """A zip received (through an invite, or enqueued without one: `invite` None). Intake runs
    at once; a refused upload keeps its verdict and message for the candidate. The last
    accepted upload of an invite is the one graded."""

    invite = models.ForeignKey(Invite, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="uploads")
    filename = models.CharField(max_length=255, blank=True)
    data = models.BinaryField()
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    received_at = models.DateTimeField(default=timezone.now)
    accepted = models.BooleanField(default=False)
    verdict = models.CharField(max_length=60, blank=True)   # "accepted" or the intake rule
    message = models.TextField(blank=True)                  # plain words for the candidate
    late_minutes = models.PositiveIntegerField(default=0)   # 0: on time
    #: the challenge to grade against ('' : the one submission.yaml names)
    challenge = models.CharField(max_length=200, blank=True)
    submission = models.ForeignKey("grader.Submission", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="uploads")

    class Meta:
        ordering = ("received_at", "id")

    def __str__(self) -> str:
        return f"upload {self.id} {self.sha256[:12]} ({self.verdict or 'unchecked'})"
