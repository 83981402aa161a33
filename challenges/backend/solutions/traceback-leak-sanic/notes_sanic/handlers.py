"""Route handlers, grouped in two blueprints."""

import re
import sqlite3

from sanic import Blueprint
from sanic.exceptions import BadRequest, NotFound, SanicException
from sanic.response import empty, json

from notes_sanic.auth import hash_password, issue_token, protected, verify_password
from notes_sanic.storage import note_dict, now

auth = Blueprint("auth", url_prefix="/auth")
notes = Blueprint("notes", url_prefix="/notes")
USERNAME = re.compile(r"^[A-Za-z0-9_]{3,32}$")


class Unprocessable(SanicException):
    status_code = 422


def body_of(request) -> dict:
    data = request.json
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data


def note_fields(data: dict) -> tuple[str, str]:
    title, body = data.get("title"), data.get("body", "")
    if not isinstance(title, str) or not 1 <= len(title) <= 200:
        raise Unprocessable("title must be 1-200 characters")
    if not isinstance(body, str) or len(body) > 10_000:
        raise Unprocessable("body must be a string of at most 10000 characters")
    return title, body


def query_int(request, name: str, default: int, low: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Unprocessable(f"{name} must be an integer")
    if value < low:
        raise Unprocessable(f"{name} must be at least {low}")
    return value


def parse_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 18 or int(raw) < 1:
        raise NotFound("note not found")
    return int(raw)


@auth.post("/register")
async def register(request):
    data = body_of(request)
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not USERNAME.match(username):
        raise Unprocessable("username must be 3-32 letters, digits or underscores")
    if not isinstance(password, str) or not 8 <= len(password) <= 128:
        raise Unprocessable("password must be 8-128 characters")
    try:
        cursor = await request.ctx.db.execute(
            "INSERT INTO users (username, password) VALUES (?, ?)",
            (username, hash_password(password)))
        await request.ctx.db.commit()
    except sqlite3.IntegrityError:
        raise SanicException("username already exists", status_code=409)
    return json({"id": cursor.lastrowid, "username": username}, status=201)


@auth.post("/token")
async def token(request):
    data = body_of(request)
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise Unprocessable("username and password are required")
    expires_in = data.get("expires_in", 3600)
    if expires_in < 1 or expires_in > 86400:
        raise Unprocessable("expires_in must be between 1 and 86400")
    async with request.ctx.db.execute("SELECT id, password FROM users WHERE username = ?",
                                      (username,)) as cursor:
        user = await cursor.fetchone()
    if user is None or not verify_password(user["password"], password):
        raise SanicException("wrong username or password", status_code=401)
    return json({"access_token": await issue_token(request.ctx.db, user["id"], expires_in),
                 "token_type": "bearer", "expires_in": expires_in})


@notes.get("")
@protected
async def list_notes(request):
    limit = query_int(request, "limit", 20, 1)
    if limit > 100:
        raise Unprocessable("limit must be at most 100")
    offset = query_int(request, "offset", 0, 0)
    db = request.ctx.db
    async with db.execute("SELECT COUNT(*) AS n FROM notes WHERE user_id = ?",
                          (request.ctx.user_id,)) as cursor:
        total = (await cursor.fetchone())["n"]
    async with db.execute("SELECT * FROM notes WHERE user_id = ? ORDER BY id LIMIT ? OFFSET ?",
                          (request.ctx.user_id, limit, offset)) as cursor:
        rows = await cursor.fetchall()
    return json({"items": [note_dict(r) for r in rows], "total": total, "limit": limit,
                 "offset": offset})


@notes.post("")
@protected
async def create_note(request):
    title, body = note_fields(body_of(request))
    stamp = now()
    db = request.ctx.db
    cursor = await db.execute("INSERT INTO notes (user_id, title, body, created_at, updated_at) "
                              "VALUES (?, ?, ?, ?, ?)",
                              (request.ctx.user_id, title, body, stamp, stamp))
    await db.commit()
    return json(await _load(request, cursor.lastrowid), status=201)


async def _load(request, note_id: int) -> dict:
    async with request.ctx.db.execute("SELECT * FROM notes WHERE id = ? AND user_id = ?",
                                      (note_id, request.ctx.user_id)) as cursor:
        row = await cursor.fetchone()
    if row is None:
        raise NotFound("note not found")
    return note_dict(row)


@notes.get("/<note_id:str>")
@protected
async def get_note(request, note_id: str):
    return json(await _load(request, parse_id(note_id)))


@notes.put("/<note_id:str>")
@protected
async def update_note(request, note_id: str):
    nid = parse_id(note_id)
    await _load(request, nid)
    title, body = note_fields(body_of(request))
    await request.ctx.db.execute("UPDATE notes SET title = ?, body = ?, updated_at = ? "
                                 "WHERE id = ?", (title, body, now(), nid))
    await request.ctx.db.commit()
    return json(await _load(request, nid))


@notes.delete("/<note_id:str>")
@protected
async def delete_note(request, note_id: str):
    nid = parse_id(note_id)
    await _load(request, nid)
    await request.ctx.db.execute("DELETE FROM notes WHERE id = ?", (nid,))
    await request.ctx.db.commit()
    return empty(status=204)
