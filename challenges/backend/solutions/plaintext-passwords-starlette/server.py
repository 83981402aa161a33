"""Notes API built on plain Starlette (no FastAPI) with aiosqlite.

All handlers are async. Auth is a random opaque bearer token stored in the `tokens`
table together with its expiry; notes are always filtered by the token's user.
Storage lives in storage.py, request validation in validation.py.
"""
import os
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import storage
from validation import (
    parse_credentials,
    parse_note,
    parse_page,
    parse_token_request,
    read_json,
)

MAX_NOTE_ID = 2**63 - 1


async def current_user_id(request: Request) -> int:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "missing bearer token")
    user_id = await storage.user_for_token(token)
    if user_id is None:
        raise HTTPException(401, "invalid or expired token")
    return user_id


def note_id_from(request: Request) -> int:
    note_id = request.path_params["note_id"]
    if note_id < 1 or note_id > MAX_NOTE_ID:
        raise HTTPException(404, "note not found")
    return note_id


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def register(request: Request) -> JSONResponse:
    username, password = parse_credentials(await read_json(request))
    user = await storage.create_user(username, password)
    if user is None:
        raise HTTPException(409, "username is already taken")
    return JSONResponse(user, status_code=201)


async def issue_token(request: Request) -> JSONResponse:
    username, password, expires_in = parse_token_request(await read_json(request))
    user_id = await storage.check_login(username, password)
    if user_id is None:
        raise HTTPException(401, "invalid username or password")
    token = await storage.create_token(user_id, expires_in)
    return JSONResponse({"access_token": token, "token_type": "bearer",
                         "expires_in": expires_in})


async def list_notes(request: Request) -> JSONResponse:
    user_id = await current_user_id(request)
    limit, offset = parse_page(request.query_params)
    items, total = await storage.list_notes(user_id, limit, offset)
    return JSONResponse({"items": items, "total": total, "limit": limit, "offset": offset})


async def create_note(request: Request) -> JSONResponse:
    user_id = await current_user_id(request)
    title, body = parse_note(await read_json(request))
    note = await storage.create_note(user_id, title, body)
    return JSONResponse(note, status_code=201)


async def get_note(request: Request) -> JSONResponse:
    user_id = await current_user_id(request)
    note = await storage.get_note(user_id, note_id_from(request))
    if note is None:
        raise HTTPException(404, "note not found")
    return JSONResponse(note)


async def update_note(request: Request) -> JSONResponse:
    user_id = await current_user_id(request)
    note_id = note_id_from(request)
    title, body = parse_note(await read_json(request))
    note = await storage.update_note(user_id, note_id, title, body)
    if note is None:
        raise HTTPException(404, "note not found")
    return JSONResponse(note)


async def delete_note(request: Request) -> Response:
    user_id = await current_user_id(request)
    if not await storage.delete_note(user_id, note_id_from(request)):
        raise HTTPException(404, "note not found")
    return Response(status_code=204)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code,
                        headers=exc.headers)


@asynccontextmanager
async def lifespan(app: Starlette):
    await storage.init(os.environ.get("DATA_DIR", "data"))
    yield


routes = [
    Route("/health", health, methods=["GET"]),
    Route("/auth/register", register, methods=["POST"]),
    Route("/auth/token", issue_token, methods=["POST"]),
    Route("/notes", list_notes, methods=["GET"]),
    Route("/notes", create_note, methods=["POST"]),
    Route("/notes/{note_id:int}", get_note, methods=["GET"]),
    Route("/notes/{note_id:int}", update_note, methods=["PUT"]),
    Route("/notes/{note_id:int}", delete_note, methods=["DELETE"]),
]

app = Starlette(routes=routes, lifespan=lifespan,
                exception_handlers={HTTPException: http_error})
