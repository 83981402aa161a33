import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class Note(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="notes")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def as_json(self) -> dict:
        return {"id": self.id, "title": self.title, "body": self.body,
                "created_at": self.created_at.isoformat(),
                "updated_at": self.updated_at.isoformat()}


class AccessToken(models.Model):
    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    expires_at = models.DateTimeField()

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, user, seconds: int) -> str:
        raw = secrets.token_urlsafe(32)
        cls.objects.create(digest=cls.digest_of(raw), user=user,
                           expires_at=timezone.now() + timedelta(seconds=seconds))
        return raw

    @classmethod
    def user_for(cls, raw: str):
        token = (cls.objects.select_related("user")
                 .filter(digest=cls.digest_of(raw), expires_at__gt=timezone.now()).first())
        return token.user if token else None
