"""Bearer tokens: random, stored as a SHA-256 digest with an expiry, checked on every call."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from notes.models import AccessToken


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(user: User, lifetime_seconds: int) -> str:
    token = secrets.token_urlsafe(32)
    await AccessToken.objects.acreate(
        digest=digest(token), user=user,
        expires_at=timezone.now() + timedelta(seconds=lifetime_seconds))
    return token


class BearerToken(HttpBearer):
    """Sets request.auth to the token's user, or answers 401."""

    async def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token or len(token) > 256:
            return None
        record = await (AccessToken.objects.select_related("user")
                        .filter(digest=digest(token), expires_at__gt=timezone.now())
                        .afirst())
        if record is None or not record.user.is_active:
            return None
        return record.user
