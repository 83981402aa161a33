"""aiosqlite helpers: one connection per request, the schema created at startup."""

from typing import Any

import aiosqlite
from quart import g

from notes_quart import config

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT UNIQUE NOT NULL,
    password_hash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_notes_user ON notes(user_id);
"""


async def init_db(path: str | None = None) -> None:
    config.DATA_DIR.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(path or config.DATABASE) as conn:
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.executescript(SCHEMA)
        await conn.commit()


async def connection() -> aiosqlite.Connection:
    if "db" not in g:
        g.db = await aiosqlite.connect(g.get("database") or config.DATABASE, timeout=15)
        g.db.row_factory = aiosqlite.Row
    return g.db


async def close(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        await db.close()


def note_out(row: Any) -> dict[str, Any]:
    return {"id": row["id"], "title": row["title"], "body": row["body"],
            "created_at": row["created_at"], "updated_at": row["updated_at"]}
