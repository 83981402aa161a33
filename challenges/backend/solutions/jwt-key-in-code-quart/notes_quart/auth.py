"""Registration and JWT login; `login_required` puts the user's id on `g`."""

import re
import sqlite3
from datetime import datetime, timedelta, timezone
from functools import wraps

import bcrypt
import jwt
from quart import Blueprint, abort, g, request

from notes_quart import config
from notes_quart.db import connection
from notes_quart.validation import json_object

bp = Blueprint("auth", __name__, url_prefix="/auth")
USERNAME = re.compile(r"[A-Za-z0-9_]{3,32}")


def issue_token(user_id: int, username: str, seconds: int) -> str:
    now = datetime.now(timezone.utc)
    claims = {"sub": str(user_id), "username": username, "iat": now,
              "exp": now + timedelta(seconds=seconds)}
    return jwt.encode(claims, config.JWT_SECRET, algorithm=config.JWT_ALGORITHM)


def login_required(view):
    @wraps(view)
    async def wrapper(*args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            abort(401, "missing bearer token")
        try:
            claims = jwt.decode(token, config.JWT_SECRET, algorithms=[config.JWT_ALGORITHM],
                                options={"require": ["exp", "sub"]})
            g.user_id = int(claims["sub"])
        except (jwt.InvalidTokenError, ValueError):
            abort(401, "invalid or expired token")
        return await view(*args, **kwargs)
    return wrapper


@bp.post("/register")
async def register():
    data = await json_object()
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        abort(422, "username: 3-32 letters, digits or underscores")
    if not isinstance(password, str) or not 8 <= len(password) <= 128:
        abort(422, "password: 8-128 characters")
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())
    db = await connection()
    try:
        cursor = await db.execute("INSERT INTO users (username, password_hash) VALUES (?, ?)",
                                  (username, hashed))
        await db.commit()
    except sqlite3.IntegrityError:
        abort(409, "username already registered")
    return {"id": cursor.lastrowid, "username": username}, 201


@bp.post("/token")
async def token():
    data = await json_object()
    username, password = data.get("username"), data.get("password")
    seconds = data.get("expires_in", config.DEFAULT_TOKEN_SECONDS)
    if not isinstance(username, str) or not isinstance(password, str):
        abort(422, "username and password are required")
    if type(seconds) is not int or not 1 <= seconds <= config.MAX_TOKEN_SECONDS:
        abort(422, f"expires_in must be an integer from 1 to {config.MAX_TOKEN_SECONDS}")
    db = await connection()
    async with db.execute("SELECT id, password_hash FROM users WHERE username = ?",
                          (username,)) as cursor:
        user = await cursor.fetchone()
    if user is None or not bcrypt.checkpw(password.encode(), user["password_hash"]):
        abort(401, "bad username or password")
    return {"access_token": issue_token(user["id"], username, seconds), "token_type": "bearer",
            "expires_in": seconds}
