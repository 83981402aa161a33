import base64
import hashlib
from datetime import datetime, timedelta, timezone
from typing import Annotated

import bcrypt
import jwt
from fastapi import Depends, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import get_settings
from app.database import get_session
from app.models import User

BCRYPT_ROUNDS = 10
bearer_scheme = HTTPBearer(auto_error=False)


def _prehash(password: str) -> bytes:
    # bcrypt only looks at the first 72 bytes; passwords may be up to 128 characters
    return base64.b64encode(hashlib.sha256(password.encode()).digest())


async def hash_password(password: str) -> str:
    hashed = await run_in_threadpool(bcrypt.hashpw, _prehash(password),
                                     bcrypt.gensalt(BCRYPT_ROUNDS))
    return hashed.decode()


async def verify_password(password: str, hashed: str) -> bool:
    return await run_in_threadpool(bcrypt.checkpw, _prehash(password), hashed.encode())


def create_access_token(user: User, expires_in: int) -> str:
    settings = get_settings()
    now = datetime.now(timezone.utc)
    claims = {"sub": str(user.id), "iat": now, "exp": now + timedelta(seconds=expires_in)}
    return jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail,
                         headers={"WWW-Authenticate": "Bearer"})


async def get_current_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    session: Annotated[AsyncSession, Depends(get_session)],
) -> User:
    if credentials is None or not credentials.credentials:
        raise _unauthorized("Not authenticated")
    settings = get_settings()
    try:
        claims = jwt.decode(credentials.credentials, settings.jwt_secret,
                            algorithms=[settings.jwt_algorithm],
                            options={"require": ["exp", "sub"]})
        user_id = int(claims["sub"])
    except jwt.ExpiredSignatureError:
        raise _unauthorized("Token has expired")
    except (jwt.InvalidTokenError, ValueError):
        raise _unauthorized("Invalid token")
    user = await session.get(User, user_id)
    if user is None:
        raise _unauthorized("Invalid token")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
