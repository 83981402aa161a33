"""All SQL lives here. One short-lived connection per call keeps threads out of each other's
way (the dev server is threaded)."""

import sqlite3
import time
from contextlib import closing
from datetime import datetime, timezone

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_by_user ON notes(user_id, id);
"""
NOTE_COLUMNS = "id, title, body, created_at, updated_at"


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class UsernameTaken(Exception):
    pass


class Store:
    def __init__(self, path: str) -> None:
        self.path = path

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10)
        conn.row_factory = sqlite3.Row
        return conn

    def create_schema(self) -> None:
        with closing(self.connect()) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)

    # users and sessions -------------------------------------------------------------
    def add_user(self, username: str, password_hash: str) -> int:
        with closing(self.connect()) as conn, conn:
            try:
                cur = conn.execute("INSERT INTO users (username, password_hash) VALUES (?, ?)",
                                   (username, password_hash))
            except sqlite3.IntegrityError as exc:
                raise UsernameTaken(username) from exc
            return cur.lastrowid

    def find_user(self, username: str) -> sqlite3.Row | None:
        with closing(self.connect()) as conn:
            return conn.execute("SELECT id, username, password_hash FROM users WHERE username = ?",
                                (username,)).fetchone()

    def add_session(self, token: str, user_id: int, ttl: int) -> None:
        with closing(self.connect()) as conn, conn:
            conn.execute("INSERT INTO sessions (token, user_id, expires_at) VALUES (?, ?, ?)",
                         (token, user_id, time.time() + ttl))

    def user_for_token(self, token: str) -> int | None:
        with closing(self.connect()) as conn:
            row = conn.execute("SELECT user_id, expires_at FROM sessions WHERE token = ?",
                               (token,)).fetchone()
        if row is None or row["expires_at"] <= time.time():
            return None
        return row["user_id"]

    # notes ------------------------------------------------------------------------------
    def list_notes(self, user_id: int, limit: int, offset: int) -> tuple[list[dict], int]:
        with closing(self.connect()) as conn:
            total = conn.execute("SELECT COUNT(*) FROM notes WHERE user_id = ?",
                                 (user_id,)).fetchone()[0]
            rows = conn.execute(f"SELECT {NOTE_COLUMNS} FROM notes WHERE user_id = ? "
                                "ORDER BY id LIMIT ? OFFSET ?", (user_id, limit, offset))
            return [dict(r) for r in rows], total

    def add_note(self, user_id: int, title: str, body: str) -> dict:
        now = utcnow()
        with closing(self.connect()) as conn, conn:
            cur = conn.execute("INSERT INTO notes (user_id, title, body, created_at, updated_at) "
                               "VALUES (?, ?, ?, ?, ?)", (user_id, title, body, now, now))
            note_id = cur.lastrowid
        return self.get_note(user_id, note_id)

    def get_note(self, user_id: int, note_id: int) -> dict | None:
        with closing(self.connect()) as conn:
            row = conn.execute(f"SELECT {NOTE_COLUMNS} FROM notes WHERE id = ? AND user_id = ?",
                               (note_id, user_id)).fetchone()
        return dict(row) if row else None

    def update_note(self, user_id: int, note_id: int, title: str, body: str) -> dict | None:
        with closing(self.connect()) as conn, conn:
            cur = conn.execute("UPDATE notes SET title = ?, body = ?, updated_at = ? "
                               "WHERE id = ? AND user_id = ?",
                               (title, body, utcnow(), note_id, user_id))
        return self.get_note(user_id, note_id) if cur.rowcount else None

    def delete_note(self, user_id: int, note_id: int) -> bool:
        with closing(self.connect()) as conn, conn:
            cur = conn.execute("DELETE FROM notes WHERE id = ? AND user_id = ?",
                               (note_id, user_id))
        return cur.rowcount > 0
