"""CRUD on the current user's notes; another user's note is reported as not found."""

import sqlite3
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, g

from app.auth import login_required
from app.db import get_db
from app.validation import int_arg, json_object, text_field

bp = Blueprint("notes", __name__, url_prefix="/notes")
MAX_ID = 2**63 - 1


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _note(row: sqlite3.Row) -> dict[str, Any]:
    return {k: row[k] for k in ("id", "title", "body", "created_at", "updated_at")}


def _own(note_id: int) -> sqlite3.Row:
    if note_id > MAX_ID:
        abort(404, "note not found")
    row = get_db().execute("SELECT * FROM notes WHERE id = ? AND owner_id = ?",
                           (note_id, g.user_id)).fetchone()
    if row is None:
        abort(404, "note not found")
    return row


def _fields() -> tuple[str, str]:
    data = json_object()
    return (text_field(data, "title", min_len=1, max_len=200),
            text_field(data, "body", min_len=0, max_len=10_000, default=""))


@bp.get("")
@login_required
def list_notes() -> dict[str, Any]:
    limit = int_arg("limit", 20, 1, 100)
    offset = int_arg("offset", 0, 0, MAX_ID)
    db = get_db()
    total = db.execute("SELECT COUNT(*) FROM notes WHERE owner_id = ?", (g.user_id,)).fetchone()[0]
    rows = db.execute("SELECT * FROM notes WHERE owner_id = ? ORDER BY id LIMIT ? OFFSET ?",
                      (g.user_id, limit, offset)).fetchall()
    return {"items": [_note(r) for r in rows], "total": total, "limit": limit,
            "offset": offset}


@bp.post("")
@login_required
def create_note() -> tuple[dict[str, Any], int]:
    title, body = _fields()
    now = _now()
    db = get_db()
    cur = db.execute("INSERT INTO notes (owner_id, title, body, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?)", (g.user_id, title, body, now, now))
    db.commit()
    return _note(db.execute("SELECT * FROM notes WHERE id = ?", (cur.lastrowid,)).fetchone()), 201


@bp.get("/<int:note_id>")
@login_required
def get_note(note_id: int) -> dict[str, Any]:
    return _note(_own(note_id))


@bp.put("/<int:note_id>")
@login_required
def update_note(note_id: int) -> dict[str, Any]:
    _own(note_id)
    title, body = _fields()
    db = get_db()
    db.execute("UPDATE notes SET title = ?, body = ?, updated_at = ? WHERE id = ?",
               (title, body, _now(), note_id))
    db.commit()
    return _note(_own(note_id))


@bp.delete("/<int:note_id>")
@login_required
def delete_note(note_id: int) -> tuple[str, int]:
    _own(note_id)
    db = get_db()
    db.execute("DELETE FROM notes WHERE id = ?", (note_id,))
    db.commit()
    return "", 204
