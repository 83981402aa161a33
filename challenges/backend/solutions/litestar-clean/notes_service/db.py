"""SQLite persistence with the standard library driver.

Handlers run in worker threads, so every request gets its own connection (see
`provide_connection`); SQLite's own locking plus a generous busy timeout takes care of
concurrent writers.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Generator
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS account (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS access_token (
    token      TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    expires_at REAL NOT NULL  -- unix time, seconds
);
CREATE TABLE IF NOT EXISTS note (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS note_account_idx ON note (account_id, id);
"""


def database_file() -> Path:
    return Path(os.environ.get("DATA_DIR", "data")) / "notes.db"


def connect() -> sqlite3.Connection:
    conn = sqlite3.connect(database_file(), timeout=30, isolation_level=None,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def create_schema() -> None:
    path = database_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect()
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(SCHEMA)
    finally:
        conn.close()


def provide_connection() -> Generator[sqlite3.Connection, None, None]:
    """Litestar dependency: one connection per request, closed afterwards."""
    conn = connect()
    try:
        yield conn
    finally:
        conn.close()
