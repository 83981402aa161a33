import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


def generate_key() -> str:
    return secrets.token_urlsafe(32)


class AccessToken(models.Model):
    """An opaque bearer token, valid until `expires_at`."""

    key = models.CharField(max_length=64, unique=True, default=generate_key)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    @classmethod
    def issue(cls, user: models.Model, lifetime_seconds: int) -> "AccessToken":
        return cls.objects.create(
            user=user, expires_at=timezone.now() + timedelta(seconds=lifetime_seconds)
        )

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    def __str__(self) -> str:
        return f"token for {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class Note(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title
