"""HTTP layer: health, auth and notes controllers."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post, put
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_409_CONFLICT

from notes_service import security
from notes_service.schemas import (
    Account,
    Credentials,
    NoteIn,
    NoteOut,
    NotePage,
    Registration,
    TokenOut,
)

MAX_SQLITE_INT = 2**63 - 1
NOTE_FIELDS = "id, title, body, created_at, updated_at"

NoteId = Annotated[int, Parameter(ge=1, le=MAX_SQLITE_INT)]
AuthedRequest = Request[Account, str, Any]


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _note(row: sqlite3.Row) -> NoteOut:
    return NoteOut(**dict(row))


@get("/health", exclude_from_auth=True, sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


class AuthController(Controller):
    path = "/auth"
    opt = {"exclude_from_auth": True}

    @post("/register", sync_to_thread=True)
    def register(self, data: Registration, conn: sqlite3.Connection) -> Account:
        password_hash = security.hash_password(data.password)
        try:
            cursor = conn.execute(
                "INSERT INTO account (username, password_hash) VALUES (?, ?)",
                (data.username, password_hash),
            )
        except sqlite3.IntegrityError:
            raise HTTPException(status_code=HTTP_409_CONFLICT,
                                detail="That username is taken") from None
        assert cursor.lastrowid is not None
        return Account(id=cursor.lastrowid, username=data.username)

    @post("/token", status_code=HTTP_200_OK, sync_to_thread=True)
    def token(self, data: Credentials, conn: sqlite3.Connection) -> TokenOut:
        row = conn.execute(
            "SELECT id, password_hash FROM account WHERE username = ?", (data.username,)
        ).fetchone()
        if row is None or not security.verify_password(data.password, row["password_hash"]):
            raise NotAuthorizedException("Wrong username or password")
        token = security.new_token(conn, row["id"], data.expires_in)
        return TokenOut(access_token=token, expires_in=data.expires_in)


class NoteController(Controller):
    """Every query carries `account_id = ?`: a note that is not yours does not exist."""

    path = "/notes"

    @get(sync_to_thread=True)
    def list_notes(
        self,
        request: AuthedRequest,
        conn: sqlite3.Connection,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
        offset: Annotated[int, Parameter(ge=0, le=MAX_SQLITE_INT)] = 0,
    ) -> NotePage:
        account_id = request.user.id
        (total,) = conn.execute(
            "SELECT COUNT(*) FROM note WHERE account_id = ?", (account_id,)
        ).fetchone()
        rows = conn.execute(
            f"SELECT {NOTE_FIELDS} FROM note WHERE account_id = ? ORDER BY id LIMIT ? OFFSET ?",
            (account_id, limit, offset),
        ).fetchall()
        return NotePage(items=[_note(r) for r in rows], total=total, limit=limit, offset=offset)

    @post(sync_to_thread=True)
    def create_note(self, request: AuthedRequest, data: NoteIn,
                    conn: sqlite3.Connection) -> NoteOut:
        now = _timestamp()
        cursor = conn.execute(
            "INSERT INTO note (account_id, title, body, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (request.user.id, data.title, data.body, now, now),
        )
        assert cursor.lastrowid is not None
        return NoteOut(id=cursor.lastrowid, title=data.title, body=data.body,
                       created_at=now, updated_at=now)

    @get("/{note_id:int}", sync_to_thread=True)
    def get_note(self, request: AuthedRequest, note_id: NoteId,
                 conn: sqlite3.Connection) -> NoteOut:
        row = conn.execute(
            f"SELECT {NOTE_FIELDS} FROM note WHERE id = ? AND account_id = ?",
            (note_id, request.user.id),
        ).fetchone()
        if row is None:
            raise NotFoundException("Note not found")
        return _note(row)

    @put("/{note_id:int}", sync_to_thread=True)
    def replace_note(self, request: AuthedRequest, note_id: NoteId, data: NoteIn,
                     conn: sqlite3.Connection) -> NoteOut:
        row = conn.execute(
            "UPDATE note SET title = ?, body = ?, updated_at = ? "
            f"WHERE id = ? AND account_id = ? RETURNING {NOTE_FIELDS}",
            (data.title, data.body, _timestamp(), note_id, request.user.id),
        ).fetchone()
        if row is None:
            raise NotFoundException("Note not found")
        return _note(row)

    @delete("/{note_id:int}", sync_to_thread=True)
    def delete_note(self, request: AuthedRequest, note_id: NoteId,
                    conn: sqlite3.Connection) -> None:
        cursor = conn.execute(
            "DELETE FROM note WHERE id = ? AND account_id = ?", (note_id, request.user.id)
        )
        if cursor.rowcount == 0:
            raise NotFoundException("Note not found")
