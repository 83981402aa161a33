"""Password hashing and bearer-token authentication."""

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from notesvc.db import get_session
from notesvc.models import AuthToken, User, utcnow

PBKDF2_ROUNDS = 210_000

bearer_scheme = HTTPBearer(auto_error=False)


def hash_password(password: str) -> str:
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), PBKDF2_ROUNDS)
    return f"pbkdf2_sha256${PBKDF2_ROUNDS}${salt}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, rounds, salt, expected = stored.split("$")
    except ValueError:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(rounds))
    return hmac.compare_digest(digest.hex(), expected)


def issue_token(session: Session, user: User, lifetime: int) -> AuthToken:
    assert user.id is not None
    token = AuthToken(
        key=secrets.token_urlsafe(32),
        user_id=user.id,
        expires_at=utcnow() + timedelta(seconds=lifetime),
    )
    session.add(token)
    session.commit()
    session.refresh(token)
    return token


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


def current_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    session: Annotated[Session, Depends(get_session)],
) -> User:
    if credentials is None:
        raise _unauthorized("Not authenticated")
    token = session.get(AuthToken, credentials.credentials)
    if token is None:
        raise _unauthorized("Invalid token")
    user = session.get(User, token.user_id)
    if user is None:
        raise _unauthorized("Invalid token")
    return user


CurrentUser = Annotated[User, Depends(current_user)]
DbSession = Annotated[Session, Depends(get_session)]
