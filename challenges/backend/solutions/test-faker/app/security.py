"""Password hashing and opaque bearer tokens (stored hashed, with an expiry)."""

import asyncio
import hashlib
import hmac
import secrets
import time

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_session
from app.models import Token, User

_ITERATIONS = 60_000
_bearer = HTTPBearer(auto_error=False)


def _pbkdf2(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _ITERATIONS)


async def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = await asyncio.to_thread(_pbkdf2, password, salt)
    return f"pbkdf2_sha256${_ITERATIONS}${salt.hex()}${digest.hex()}"


async def verify_password(password: str, stored: str) -> bool:
    try:
        _, _, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    digest = await asyncio.to_thread(_pbkdf2, password, bytes.fromhex(salt_hex))
    return hmac.compare_digest(digest.hex(), digest_hex)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(session: AsyncSession, user: User, expires_in: int) -> str:
    token = secrets.token_urlsafe(32)
    session.add(Token(token_hash=token_hash(token), user_id=user.id,
                      expires_at=time.time() + expires_in))
    await session.commit()
    return token


def _unauthorized() -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, "missing, invalid or expired token",
                         headers={"WWW-Authenticate": "Bearer"})


async def current_user(
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    session: AsyncSession = Depends(get_session),
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized()
    token = await session.get(Token, token_hash(credentials.credentials))
    if token is None or token.expires_at < time.time():
        raise _unauthorized()
    user = await session.get(User, token.user_id)
    if user is None:
        raise _unauthorized()
    return user
