"""Request handlers. Every query on notes is scoped to the authenticated user."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from starlette.authentication import requires
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from notes_api import security, storage, validation
from notes_api.validation import ApiError

NOTE_COLUMNS = "id, title, body, created_at, updated_at"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _note_id(request: Request) -> int:
    note_id: int = request.path_params["note_id"]
    if not 1 <= note_id <= validation.SQLITE_MAX_INT:
        raise ApiError(404, "Note not found")
    return note_id


def _as_dict(row: Any) -> dict[str, Any]:
    return {key: row[key] for key in row.keys()}


async def register(request: Request) -> JSONResponse:
    username, password = validation.credentials(await validation.json_object(request))
    password_hash = await security.hash_password(password)
    async with storage.connect() as db:
        try:
            cursor = await db.execute(
                "INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?)",
                (username, password_hash, _now()),
            )
            await db.commit()
        except sqlite3.IntegrityError:
            raise ApiError(409, "Username already taken") from None
    return JSONResponse({"id": cursor.lastrowid, "username": username}, status_code=201)


async def token(request: Request) -> JSONResponse:
    username, password, expires_in = validation.login(await validation.json_object(request))
    async with storage.connect() as db:
        cursor = await db.execute(
            "SELECT id, password_hash FROM users WHERE username = ?", (username,)
        )
        user = await cursor.fetchone()
    if user is None or not await security.check_password(password, user["password_hash"]):
        raise ApiError(401, "Invalid username or password")
    access_token = await security.issue_token(user["id"], expires_in)
    return JSONResponse(
        {"access_token": access_token, "token_type": "bearer", "expires_in": expires_in}
    )


@requires("authenticated", status_code=401)
async def list_notes(request: Request) -> JSONResponse:
    limit = validation.query_int(request, "limit", 20, 1, 100)
    offset = validation.query_int(request, "offset", 0, 0, validation.SQLITE_MAX_INT)
    async with storage.connect() as db:
        cursor = await db.execute(
            "SELECT COUNT(*) FROM notes WHERE user_id = ?", (request.user.id,)
        )
        (total,) = await cursor.fetchone()  # type: ignore[misc]
        cursor = await db.execute(
            f"SELECT {NOTE_COLUMNS} FROM notes WHERE user_id = ? ORDER BY id LIMIT ? OFFSET ?",
            (request.user.id, limit, offset),
        )
        rows = await cursor.fetchall()
    return JSONResponse(
        {"items": [_as_dict(r) for r in rows], "total": total, "limit": limit, "offset": offset}
    )


@requires("authenticated", status_code=401)
async def create_note(request: Request) -> JSONResponse:
    title, body = validation.note(await validation.json_object(request))
    now = _now()
    async with storage.connect() as db:
        cursor = await db.execute(
            "INSERT INTO notes (user_id, title, body, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (request.user.id, title, body, now, now),
        )
        await db.commit()
    note = {"id": cursor.lastrowid, "title": title, "body": body,
            "created_at": now, "updated_at": now}
    return JSONResponse(note, status_code=201)


@requires("authenticated", status_code=401)
async def get_note(request: Request) -> JSONResponse:
    note_id = _note_id(request)
    async with storage.connect() as db:
        cursor = await db.execute(
            f"SELECT {NOTE_COLUMNS} FROM notes WHERE id = ? AND user_id = ?",
            (note_id, request.user.id),
        )
        row = await cursor.fetchone()
    if row is None:
        raise ApiError(404, "Note not found")
    return JSONResponse(_as_dict(row))


@requires("authenticated", status_code=401)
async def update_note(request: Request) -> JSONResponse:
    note_id = _note_id(request)
    title, body = validation.note(await validation.json_object(request))
    async with storage.connect() as db:
        cursor = await db.execute(
            "UPDATE notes SET title = ?, body = ?, updated_at = ? WHERE id = ? AND user_id = ?",
            (title, body, _now(), note_id, request.user.id),
        )
        await db.commit()
        if cursor.rowcount == 0:
            raise ApiError(404, "Note not found")
        cursor = await db.execute(f"SELECT {NOTE_COLUMNS} FROM notes WHERE id = ?", (note_id,))
        row = await cursor.fetchone()
    return JSONResponse(_as_dict(row))


@requires("authenticated", status_code=401)
async def delete_note(request: Request) -> Response:
    note_id = _note_id(request)
    async with storage.connect() as db:
        cursor = await db.execute(
            "DELETE FROM notes WHERE id = ? AND user_id = ?", (note_id, request.user.id)
        )
        await db.commit()
    if cursor.rowcount == 0:
        raise ApiError(404, "Note not found")
    return Response(status_code=204)


async def note_detail(request: Request) -> Response:
    handlers = {"GET": get_note, "PUT": update_note, "DELETE": delete_note}
    return await handlers[request.method](request)


async def notes_collection(request: Request) -> Response:
    if request.method == "POST":
        return await create_note(request)
    return await list_notes(request)
