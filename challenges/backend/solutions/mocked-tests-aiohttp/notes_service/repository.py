"""All SQL lives here. Every query takes its values as parameters."""

from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
from aiohttp import web

from notes_service.models import Note, User

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    digest TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_owner ON notes(owner_id, id);
"""
NOTE_COLUMNS = "id, title, body, created_at, updated_at"


class UsernameTaken(Exception):
    pass


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class NoteRepository:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("the repository is not open")
        return self._db

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path)
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA foreign_keys=ON")
        await self._db.executescript(SCHEMA)
        await self._db.commit()

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def create_user(self, username: str, password_hash: str) -> User:
        try:
            cursor = await self.db.execute(
                "INSERT INTO users (username, password_hash) VALUES (?, ?)",
                (username, password_hash))
        except aiosqlite.IntegrityError:
            raise UsernameTaken(username) from None
        await self.db.commit()
        return User(id=cursor.lastrowid or 0, username=username)

    async def password_hash(self, username: str) -> tuple[User, str] | None:
        cursor = await self.db.execute(
            "SELECT id, username, password_hash FROM users WHERE username = ?", (username,))
        row = await cursor.fetchone()
        return (User(row[0], row[1]), row[2]) if row else None

    async def save_token(self, digest: str, user_id: int, expires_at: float) -> None:
        await self.db.execute(
            "INSERT INTO tokens (digest, user_id, expires_at) VALUES (?, ?, ?)",
            (digest, user_id, expires_at))
        await self.db.commit()

    async def user_for_token(self, digest: str, now: float) -> User | None:
        cursor = await self.db.execute(
            "SELECT users.id, users.username FROM tokens JOIN users ON users.id = tokens.user_id"
            " WHERE tokens.digest = ? AND tokens.expires_at > ?", (digest, now))
        row = await cursor.fetchone()
        return User(row[0], row[1]) if row else None

    async def count_notes(self, owner_id: int) -> int:
        cursor = await self.db.execute("SELECT COUNT(*) FROM notes WHERE owner_id = ?",
                                       (owner_id,))
        row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def list_notes(self, owner_id: int, limit: int, offset: int) -> list[Note]:
        cursor = await self.db.execute(
            f"SELECT {NOTE_COLUMNS} FROM notes WHERE owner_id = ? ORDER BY id LIMIT ? OFFSET ?",
            (owner_id, limit, offset))
        return [Note(*row) for row in await cursor.fetchall()]

    async def get_note(self, owner_id: int, note_id: int) -> Note | None:
        cursor = await self.db.execute(
            f"SELECT {NOTE_COLUMNS} FROM notes WHERE id = ? AND owner_id = ?",
            (note_id, owner_id))
        row = await cursor.fetchone()
        return Note(*row) if row else None

    async def create_note(self, owner_id: int, title: str, body: str) -> Note:
        now = _now()
        cursor = await self.db.execute(
            "INSERT INTO notes (owner_id, title, body, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)", (owner_id, title, body, now, now))
        await self.db.commit()
        return Note(cursor.lastrowid or 0, title, body, now, now)

    async def update_note(self, owner_id: int, note_id: int, title: str,
                          body: str) -> Note | None:
        cursor = await self.db.execute(
            "UPDATE notes SET title = ?, body = ?, updated_at = ? WHERE id = ? AND owner_id = ?",
            (title, body, _now(), note_id, owner_id))
        await self.db.commit()
        if cursor.rowcount == 0:
            return None
        return await self.get_note(owner_id, note_id)

    async def delete_note(self, owner_id: int, note_id: int) -> bool:
        cursor = await self.db.execute("DELETE FROM notes WHERE id = ? AND owner_id = ?",
                                       (note_id, owner_id))
        await self.db.commit()
        return cursor.rowcount > 0


REPO = web.AppKey("repo", NoteRepository)
