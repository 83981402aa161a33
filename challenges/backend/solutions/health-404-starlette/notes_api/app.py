"""Notes API on plain Starlette.

Async handlers over SQLite (aiosqlite); users register, trade their password for a bearer
token with a limited lifetime, and manage their own notes. The database file is
$DATA_DIR/notes.sqlite3, created when the app starts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from notes_api import endpoints, storage
from notes_api.security import BearerTokenBackend, on_auth_error
from notes_api.validation import ApiError


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    await storage.init_database()
    yield


async def api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


routes = [
    Route("/auth/register", endpoints.register, methods=["POST"]),
    Route("/auth/token", endpoints.token, methods=["POST"]),
    Route("/notes", endpoints.notes_collection, methods=["GET", "POST"]),
    Route("/notes/{note_id:int}", endpoints.note_detail, methods=["GET", "PUT", "DELETE"]),
]

app = Starlette(
    routes=routes,
    middleware=[
        Middleware(AuthenticationMiddleware, backend=BearerTokenBackend(), on_error=on_auth_error)
    ],
    exception_handlers={ApiError: api_error, HTTPException: http_error},
    lifespan=lifespan,
)
