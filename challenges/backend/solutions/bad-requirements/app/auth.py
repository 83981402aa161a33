"""Registration, bearer tokens (stored hashed, with expiry) and the login_required guard."""

import functools
import hashlib
import hmac
import re
import secrets
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, g, request

from app.db import get_db
from app.validation import json_object, text_field

bp = Blueprint("auth", __name__, url_prefix="/auth")
USERNAME = re.compile(r"^[A-Za-z0-9_]{3,32}$")
ITERATIONS = 60_000


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)
    return f"pbkdf2_sha256${ITERATIONS}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    _, _, salt, _ = stored.split("$")
    return hmac.compare_digest(hash_password(password, bytes.fromhex(salt)), stored)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@bp.post("/register")
def register() -> tuple[dict[str, Any], int]:
    data = json_object()
    username = data.get("username")
    if not isinstance(username, str) or not USERNAME.match(username):
        abort(422, "'username' must be 3-32 letters, digits or underscores")
    password = text_field(data, "password", min_len=8, max_len=128)
    db = get_db()
    try:
        cur = db.execute("INSERT INTO users (username, password_hash) VALUES (?, ?)",
                         (username, hash_password(password)))
        db.commit()
    except sqlite3.IntegrityError:
        abort(409, "username already taken")
    return {"id": cur.lastrowid, "username": username}, 201


@bp.post("/token")
def token() -> dict[str, Any]:
    data = json_object()
    username, password = data.get("username"), data.get("password")
    expires_in = data.get("expires_in", 3600)
    if not isinstance(username, str) or not isinstance(password, str):
        abort(422, "'username' and 'password' are required strings")
    if not isinstance(expires_in, int) or isinstance(expires_in, bool) or \
            not 1 <= expires_in <= 86400:
        abort(422, "'expires_in' must be an integer from 1 to 86400")
    db = get_db()
    user = db.execute("SELECT id, password_hash FROM users WHERE username = ?",
                      (username,)).fetchone()
    if user is None or not check_password(password, user["password_hash"]):
        abort(401, "wrong username or password")
    raw = secrets.token_urlsafe(32)
    db.execute("INSERT INTO tokens (token_hash, user_id, expires_at) VALUES (?, ?, ?)",
               (_token_hash(raw), user["id"], time.time() + expires_in))
    db.commit()
    return {"access_token": raw, "token_type": "bearer", "expires_in": expires_in}


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            abort(401, "missing or malformed bearer token")
        row = get_db().execute("SELECT user_id, expires_at FROM tokens WHERE token_hash = ?",
                               (_token_hash(raw.strip()),)).fetchone()
        if row is None or row["expires_at"] < time.time():
            abort(401, "invalid or expired token")
        g.user_id = row["user_id"]
        return view(*args, **kwargs)

    return wrapper
