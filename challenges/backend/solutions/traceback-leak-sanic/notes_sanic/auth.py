"""Argon2 password hashes, random bearer tokens with an expiry, and the `protected` decorator."""

import secrets
import time
from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from sanic.exceptions import Unauthorized

hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(hashed: str, password: str) -> bool:
    try:
        return hasher.verify(hashed, password)
    except VerifyMismatchError:
        return False


async def issue_token(db, user_id: int, seconds: int) -> str:
    token = secrets.token_urlsafe(32)
    await db.execute("INSERT INTO tokens (token, user_id, expires) VALUES (?, ?, ?)",
                     (token, user_id, time.time() + seconds))
    await db.commit()
    return token


def protected(handler):
    @wraps(handler)
    async def wrapper(request, *args, **kwargs):
        scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("bearer token required")
        async with request.ctx.db.execute("SELECT user_id, expires FROM tokens WHERE token = ?",
                                          (token,)) as cursor:
            row = await cursor.fetchone()
        if row is None or row["expires"] < time.time():
            raise Unauthorized("invalid or expired token")
        request.ctx.user_id = row["user_id"]
        return await handler(request, *args, **kwargs)
    return wrapper
