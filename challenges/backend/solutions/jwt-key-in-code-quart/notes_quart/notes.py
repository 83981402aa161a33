"""The user's notes: list (paginated), create, read, replace, delete."""

from datetime import datetime, timezone

from quart import Blueprint, abort, g

from notes_quart.auth import login_required
from notes_quart.db import connection, note_out
from notes_quart.validation import int_param, json_object, note_fields, note_id

bp = Blueprint("notes", __name__, url_prefix="/notes")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


async def _fetch(nid: int):
    db = await connection()
    async with db.execute("SELECT * FROM notes WHERE id = ? AND user_id = ?",
                          (nid, g.user_id)) as cursor:
        row = await cursor.fetchone()
    if row is None:
        abort(404, "note not found")
    return row


@bp.get("")
@login_required
async def list_notes():
    limit = int_param("limit", 20, 1, 100)
    offset = int_param("offset", 0, 0, 10**15)
    db = await connection()
    async with db.execute("SELECT COUNT(*) FROM notes WHERE user_id = ?", (g.user_id,)) as cur:
        (total,) = await cur.fetchone()
    async with db.execute("SELECT * FROM notes WHERE user_id = ? ORDER BY id LIMIT ? OFFSET ?",
                          (g.user_id, limit, offset)) as cur:
        rows = await cur.fetchall()
    return {"items": [note_out(r) for r in rows], "total": total, "limit": limit,
            "offset": offset}


@bp.post("")
@login_required
async def create_note():
    title, body = note_fields(await json_object())
    now = _now()
    db = await connection()
    cursor = await db.execute(
        "INSERT INTO notes (user_id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        (g.user_id, title, body, now, now))
    await db.commit()
    return note_out(await _fetch(cursor.lastrowid)), 201


@bp.get("/<raw_id>")
@login_required
async def get_note(raw_id: str):
    return note_out(await _fetch(note_id(raw_id)))


@bp.put("/<raw_id>")
@login_required
async def update_note(raw_id: str):
    nid = note_id(raw_id)
    await _fetch(nid)
    title, body = note_fields(await json_object())
    db = await connection()
    await db.execute("UPDATE notes SET title = ?, body = ?, updated_at = ? WHERE id = ?",
                     (title, body, _now(), nid))
    await db.commit()
    return note_out(await _fetch(nid))


@bp.delete("/<raw_id>")
@login_required
async def delete_note(raw_id: str):
    nid = note_id(raw_id)
    await _fetch(nid)
    db = await connection()
    await db.execute("DELETE FROM notes WHERE id = ?", (nid,))
    await db.commit()
    return "", 204
