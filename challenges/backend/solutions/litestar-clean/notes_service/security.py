"""Passwords, tokens, and the middleware that turns a bearer token into `request.user`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import sqlite3
import time

import anyio
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from notes_service import db
from notes_service.schemas import Account

HASH_NAME = "sha512"
ITERATIONS = 120_000


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    derived = hashlib.pbkdf2_hmac(HASH_NAME, password.encode(), salt, ITERATIONS)
    return f"pbkdf2-{HASH_NAME}${ITERATIONS}${_b64(salt)}${_b64(derived)}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        algorithm, iterations, salt, expected = encoded.split("$")
    except ValueError:
        return False
    derived = hashlib.pbkdf2_hmac(algorithm.removeprefix("pbkdf2-"), password.encode(),
                                  base64.b64decode(salt), int(iterations))
    return hmac.compare_digest(_b64(derived), expected)


def new_token(conn: sqlite3.Connection, account_id: int, lifetime: int) -> str:
    token = secrets.token_hex(24)
    conn.execute(
        "INSERT INTO access_token (token, account_id, expires_at) VALUES (?, ?, ?)",
        (token, account_id, time.time() + lifetime),
    )
    return token


def _account_for(token: str) -> Account | None:
    conn = db.connect()
    try:
        row = conn.execute(
            "SELECT a.id, a.username, t.expires_at FROM access_token t "
            "JOIN account a ON a.id = t.account_id WHERE t.token = ?",
            (token,),
        ).fetchone()
    finally:
        conn.close()
    if row is None or row["expires_at"] <= time.time():
        return None
    return Account(id=row["id"], username=row["username"])


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise NotAuthorizedException("Missing bearer token")
        account = await anyio.to_thread.run_sync(_account_for, token)
        if account is None:
            raise NotAuthorizedException("Invalid or expired token")
        return AuthenticationResult(user=account, auth=token)
