"""SQLite persistence with aiosqlite: one short-lived connection per operation."""
import hashlib
import secrets
import sqlite3
import time
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path

import aiosqlite

DB_PATH: Path = Path("data") / "notes.db"

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    token      TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS notes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_notes_user ON notes(user_id, id);
"""

NOTE_COLUMNS = "id, title, body, created_at, updated_at"


async def init(data_dir: str) -> None:
    global DB_PATH
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    DB_PATH = Path(data_dir) / "notes.db"
    async with aiosqlite.connect(DB_PATH) as db:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.executescript(SCHEMA)
        await db.commit()


@asynccontextmanager
async def connect():
    async with aiosqlite.connect(DB_PATH, timeout=30) as db:
        db.row_factory = aiosqlite.Row
        yield db


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _hash_password(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


# ---- users & tokens ----

async def create_user(username: str, password: str) -> dict | None:
    async with connect() as db:
        try:
            cur = await db.execute(
                "INSERT INTO users (username, password_hash) VALUES (?, ?)",
                (username, _hash_password(password)),
            )
            await db.commit()
        except sqlite3.IntegrityError:
            return None
        return {"id": cur.lastrowid, "username": username}


async def check_login(username: str, password: str) -> int | None:
    async with connect() as db:
        cur = await db.execute(
            "SELECT id, password_hash FROM users WHERE username = ?", (username,))
        row = await cur.fetchone()
    if row is None or not secrets.compare_digest(row["password_hash"],
                                                 _hash_password(password)):
        return None
    return row["id"]


async def create_token(user_id: int, expires_in: int) -> str:
    token = secrets.token_urlsafe(32)
    async with connect() as db:
        await db.execute(
            "INSERT INTO tokens (token, user_id, expires_at) VALUES (?, ?, ?)",
            (token, user_id, time.time() + expires_in),
        )
        await db.commit()
    return token


async def user_for_token(token: str) -> int | None:
    async with connect() as db:
        cur = await db.execute(
            "SELECT user_id FROM tokens WHERE token = ? AND expires_at > ?",
            (token, time.time()),
        )
        row = await cur.fetchone()
    return row["user_id"] if row else None


# ---- notes ----

async def list_notes(user_id: int, limit: int, offset: int) -> tuple[list[dict], int]:
    async with connect() as db:
        cur = await db.execute("SELECT COUNT(*) FROM notes WHERE user_id = ?", (user_id,))
        (total,) = await cur.fetchone()
        cur = await db.execute(
            f"SELECT {NOTE_COLUMNS} FROM notes WHERE user_id = ? ORDER BY id LIMIT ? OFFSET ?",
            (user_id, limit, offset),
        )
        rows = await cur.fetchall()
    return [dict(r) for r in rows], total


async def get_note(user_id: int, note_id: int) -> dict | None:
    async with connect() as db:
        cur = await db.execute(
            f"SELECT {NOTE_COLUMNS} FROM notes WHERE id = ? AND user_id = ?",
            (note_id, user_id),
        )
        row = await cur.fetchone()
    return dict(row) if row else None


async def create_note(user_id: int, title: str, body: str) -> dict:
    now = _now()
    async with connect() as db:
        cur = await db.execute(
            "INSERT INTO notes (user_id, title, body, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (user_id, title, body, now, now),
        )
        await db.commit()
        note_id = cur.lastrowid
    return {"id": note_id, "title": title, "body": body, "created_at": now, "updated_at": now}


async def update_note(user_id: int, note_id: int, title: str, body: str) -> dict | None:
    async with connect() as db:
        cur = await db.execute(
            "UPDATE notes SET title = ?, body = ?, updated_at = ? WHERE id = ? AND user_id = ?",
            (title, body, _now(), note_id, user_id),
        )
        await db.commit()
        if cur.rowcount == 0:
            return None
    return await get_note(user_id, note_id)


async def delete_note(user_id: int, note_id: int) -> bool:
    async with connect() as db:
        cur = await db.execute(
            "DELETE FROM notes WHERE id = ? AND user_id = ?", (note_id, user_id))
        await db.commit()
        return cur.rowcount > 0
