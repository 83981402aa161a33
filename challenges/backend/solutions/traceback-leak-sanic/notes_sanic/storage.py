"""SQLite through aiosqlite. A connection per request, opened and closed by middleware."""

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import aiosqlite

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    password TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""


def database_path() -> Path:
    folder = Path(os.environ.get("DATA_DIR", "data"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "notes.sqlite3"


def now() -> str:
    return datetime.now(timezone.utc).isoformat()


async def create_schema(path: Path) -> None:
    async with aiosqlite.connect(path) as db:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.executescript(SCHEMA)
        await db.commit()


async def open_db(path: Path) -> aiosqlite.Connection:
    db = await aiosqlite.connect(path, timeout=15)
    db.row_factory = sqlite3.Row
    return db


def note_dict(row: sqlite3.Row) -> dict:
    return {key: row[key] for key in ("id", "title", "body", "created_at", "updated_at")}
