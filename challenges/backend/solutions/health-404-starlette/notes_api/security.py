"""Password hashing (scrypt), opaque bearer tokens and the Starlette auth backend."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from notes_api import storage

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def _scrypt(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)


async def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = await run_in_threadpool(_scrypt, password, salt)
    return f"{salt.hex()}:{digest.hex()}"


async def check_password(password: str, stored: str) -> bool:
    salt_hex, _, digest_hex = stored.partition(":")
    digest = await run_in_threadpool(_scrypt, password, bytes.fromhex(salt_hex))
    return hmac.compare_digest(digest.hex(), digest_hex)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(user_id: int, lifetime: int) -> str:
    """Store only a hash of the token, so a leaked database cannot be replayed."""
    token = secrets.token_urlsafe(32)
    async with storage.connect() as db:
        await db.execute(
            "INSERT INTO tokens (token_hash, user_id, expires_at) VALUES (?, ?, ?)",
            (_digest(token), user_id, time.time() + lifetime),
        )
        await db.commit()
    return token


class NoteUser(BaseUser):
    def __init__(self, user_id: int, username: str) -> None:
        self.id = user_id
        self.username = username

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.username


class BearerTokenBackend(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None  # not ours; protected routes will answer 401
        token = token.strip()
        if not token:
            raise AuthenticationError("Empty bearer token")
        async with storage.connect() as db:
            cursor = await db.execute(
                "SELECT u.id, u.username, t.expires_at FROM tokens t "
                "JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
                (_digest(token),),
            )
            row = await cursor.fetchone()
        if row is None:
            raise AuthenticationError("Unknown token")
        if row["expires_at"] <= time.time():
            raise AuthenticationError("Token expired")
        return AuthCredentials(["authenticated"]), NoteUser(row["id"], row["username"])


def on_auth_error(conn: HTTPConnection, exc: Exception) -> JSONResponse:
    return JSONResponse(
        {"detail": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
    )
