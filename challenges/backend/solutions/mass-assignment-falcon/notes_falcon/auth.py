"""Password hashing (bcrypt), opaque bearer tokens stored as SHA-256 digests, and the hook that
puts the current user on req.context."""

import hashlib
import secrets
import time

import bcrypt
import falcon

from notes_falcon.db import Token, User


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def password_matches(password: str, hashed: str) -> bool:
    return bcrypt.checkpw(password.encode(), hashed.encode())


def new_token(session, user: User, ttl: int) -> str:
    raw = secrets.token_urlsafe(32)
    session.add(Token(digest=hashlib.sha256(raw.encode()).hexdigest(), user_id=user.id,
                      expires_at=time.time() + ttl))
    session.commit()
    return raw


def require_user(req: falcon.Request, resp: falcon.Response, resource, params) -> None:
    """falcon.before hook: 401 unless the bearer token is known and not expired."""
    scheme, _, raw = (req.auth or "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise falcon.HTTPUnauthorized(title="Unauthorized", description="bearer token required",
                                      challenges=["Bearer"])
    digest = hashlib.sha256(raw.strip().encode()).hexdigest()
    with resource.sessions() as session:
        token = session.get(Token, digest)
        if token is None or token.expires_at < time.time():
            raise falcon.HTTPUnauthorized(title="Unauthorized",
                                          description="invalid or expired token",
                                          challenges=["Bearer"])
        req.context.user_id = token.user_id
