"""Passwords (bcrypt, off the event loop) and opaque bearer tokens stored as SHA-256."""

import asyncio
import hashlib
import secrets
import time
from collections.abc import Awaitable, Callable

import bcrypt
from aiohttp import web

from notes_service.models import User
from notes_service.repository import REPO, NoteRepository

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PUBLIC = {("GET", "/health"), ("POST", "/auth/register"), ("POST", "/auth/token")}
_DUMMY = bcrypt.hashpw(b"timing-equaliser", bcrypt.gensalt())


async def hash_password(password: str) -> str:
    hashed = await asyncio.to_thread(bcrypt.hashpw, password.encode(), bcrypt.gensalt())
    return hashed.decode()


async def check_password(password: str, hashed: str | None) -> bool:
    ok = await asyncio.to_thread(bcrypt.checkpw, password.encode(),
                                 (hashed or _DUMMY.decode()).encode())
    return ok and hashed is not None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(repo: NoteRepository, user: User, lifetime: int) -> str:
    token = secrets.token_urlsafe(32)
    await repo.save_token(digest(token), user.id, time.time() + lifetime)
    return token


async def user_for_token(repo: NoteRepository, token: str) -> User | None:
    if not token or len(token) > 512:
        return None
    return await repo.user_for_token(digest(token), time.time())


@web.middleware
async def require_user(request: web.Request, handler: Handler) -> web.StreamResponse:
    if (request.method, request.path) in PUBLIC or request.match_info.route.resource is None:
        return await handler(request)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    user = None
    if scheme.lower() == "bearer":
        user = await user_for_token(request.app[REPO], token.strip())
    if user is None:
        return web.json_response({"detail": "missing, invalid or expired token"}, status=401)
    request["user"] = user
    return await handler(request)
