"""Password hashing, bearer tokens and the decorator that guards resources."""

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any

from flask import g, request
from flask_restx import abort
from werkzeug.security import check_password_hash, generate_password_hash

from notes_api.models import Token, User, db

# Checked against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # werkzeug's default: salted scrypt


def verify_login(username: str, password: str) -> User | None:
    user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, lifetime: int) -> str:
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(seconds=lifetime)
    db.session.add(Token(digest=_digest(token), user_id=user.id, expires_at=expires))
    db.session.commit()
    return token


def _user_for(token: str) -> User | None:
    record = db.session.get(Token, _digest(token))
    if record is None:
        return None
    expires = record.expires_at
    if expires.tzinfo is None:  # SQLite hands datetimes back naive
        expires = expires.replace(tzinfo=UTC)
    if expires <= datetime.now(UTC):
        return None
    return db.session.get(User, record.user_id)


def auth_required(method: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        user = _user_for(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            abort(401, "missing, invalid or expired token")
        g.current_user = user
        return method(*args, **kwargs)
    return wrapper
