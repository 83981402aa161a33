"""
Notes API - Flask + sqlite3, no ORM.

Users register, log in to get a bearer token (random string kept in the `tokens`
table with an expiry time) and then manage their own notes.  Everything lives in
one SQLite file: $DATA_DIR/notes.sqlite3 (DATA_DIR defaults to ./data).

Run:  flask --app notes_api run --host 0.0.0.0 --port 8000
"""
import hashlib
import os
import re
import secrets
import sqlite3
import time
from datetime import datetime, timezone
from functools import wraps

from flask import Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException

DATA_DIR = os.environ.get("DATA_DIR", "data")
DB_PATH = os.path.join(DATA_DIR, "notes.sqlite3")

USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{3,32}$")
MAX_SQLITE_INT = 2**63 - 1

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # 1 MB


class ApiError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


@app.errorhandler(ApiError)
def handle_api_error(err):
    return jsonify({"error": err.message}), err.status


@app.errorhandler(HTTPException)
def handle_http_error(err):
    return jsonify({"error": err.description}), err.code


# ---------------------------------------------------------------- database

def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(DB_PATH, timeout=15)
        g.db.row_factory = sqlite3.Row
    return g.db


@app.teardown_appcontext
def close_db(exc):
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db():
    os.makedirs(DATA_DIR, exist_ok=True)
    con = sqlite3.connect(DB_PATH)
    con.execute("PRAGMA journal_mode=WAL")
    con.executescript(
        """
        CREATE TABLE IF NOT EXISTS users (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            username TEXT UNIQUE NOT NULL,
            password_hash TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS tokens (
            token TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            expires_at REAL NOT NULL
        );
        CREATE TABLE IF NOT EXISTS notes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL REFERENCES users(id),
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS notes_user_idx ON notes(user_id);
        """
    )
    con.commit()
    con.close()


init_db()


# ---------------------------------------------------------------- helpers

def now_iso():
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def hash_password(username, password):
    # salted with the username so two users with the same password get different hashes
    return hashlib.pbkdf2_hmac("sha256", password.encode(), username.encode(), 100_000).hex()


def read_json_object():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "request body must be a JSON object")
    return data


def check_note_payload(data):
    title = data.get("title")
    body = data.get("body", "")
    if not isinstance(title, str) or not 1 <= len(title) <= 200:
        raise ApiError(422, "title is required and must be a string of 1-200 characters")
    if not isinstance(body, str) or len(body) > 10000:
        raise ApiError(422, "body must be a string of at most 10000 characters")
    return title, body


def query_int(name, default, lo, hi):
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(422, f"{name} must be an integer")
    if value < lo or value > hi:
        raise ApiError(422, f"{name} must be between {lo} and {hi}")
    return value


def note_to_dict(row):
    return {
        "id": row["id"],
        "title": row["title"],
        "body": row["body"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def login_required(f):
    @wraps(f)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise ApiError(401, "missing bearer token")
        token = header[len("Bearer "):].strip()
        if not token:
            raise ApiError(401, "missing bearer token")
        row = get_db().execute(
            "SELECT user_id, expires_at FROM tokens WHERE token = ?", (token,)
        ).fetchone()
        if row is None or row["expires_at"] < time.time():
            raise ApiError(401, "invalid or expired token")
        g.user_id = row["user_id"]
        return f(*args, **kwargs)

    return wrapper


def find_note(note_id):
    if note_id > MAX_SQLITE_INT:
        raise ApiError(404, "note not found")
    row = get_db().execute(
        "SELECT * FROM notes WHERE id = ? AND user_id = ?", (note_id, g.user_id)
    ).fetchone()
    if row is None:
        raise ApiError(404, "note not found")
    return row


# ---------------------------------------------------------------- routes

@app.get("/health")
def health():
    return jsonify({"status": "ok"})


@app.post("/auth/register")
def register():
    data = read_json_object()
    username = data.get("username")
    password = data.get("password")
    if not isinstance(username, str) or not USERNAME_RE.match(username):
        raise ApiError(422, "username must be 3-32 letters, digits or underscores")
    if not isinstance(password, str) or not 8 <= len(password) <= 128:
        raise ApiError(422, "password must be 8-128 characters")
    db = get_db()
    try:
        cur = db.execute(
            "INSERT INTO users (username, password_hash) VALUES (?, ?)",
            (username, hash_password(username, password)),
        )
        db.commit()
    except sqlite3.IntegrityError:
        raise ApiError(409, "username already taken")
    return jsonify({"id": cur.lastrowid, "username": username}), 201


@app.post("/auth/token")
def login():
    data = read_json_object()
    username = data.get("username")
    password = data.get("password")
    expires_in = data.get("expires_in", 3600)
    if not isinstance(username, str) or not isinstance(password, str):
        raise ApiError(422, "username and password are required")
    if type(expires_in) is not int or not 1 <= expires_in <= 86400:
        raise ApiError(422, "expires_in must be an integer between 1 and 86400")

    db = get_db()
    pw_hash = hash_password(username, password)
    user = db.execute(
        f"SELECT id FROM users WHERE username = '{username}' AND password_hash = '{pw_hash}'"
    ).fetchone()
    if user is None:
        raise ApiError(401, "wrong username or password")

    token = secrets.token_hex(32)
    db.execute(
        "INSERT INTO tokens (token, user_id, expires_at) VALUES (?, ?, ?)",
        (token, user["id"], time.time() + expires_in),
    )
    db.commit()
    return jsonify({"access_token": token, "token_type": "bearer", "expires_in": expires_in})


@app.get("/notes")
@login_required
def list_notes():
    limit = query_int("limit", 20, 1, 100)
    offset = query_int("offset", 0, 0, MAX_SQLITE_INT)
    db = get_db()
    total = db.execute(
        "SELECT COUNT(*) FROM notes WHERE user_id = ?", (g.user_id,)
    ).fetchone()[0]
    rows = db.execute(
        "SELECT * FROM notes WHERE user_id = ? ORDER BY id LIMIT ? OFFSET ?",
        (g.user_id, limit, offset),
    ).fetchall()
    return jsonify(
        {"items": [note_to_dict(r) for r in rows], "total": total, "limit": limit, "offset": offset}
    )


@app.post("/notes")
@login_required
def create_note():
    title, body = check_note_payload(read_json_object())
    ts = now_iso()
    db = get_db()
    cur = db.execute(
        "INSERT INTO notes (user_id, title, body, created_at, updated_at) "
        f"VALUES ({g.user_id}, '{title}', '{body}', '{ts}', '{ts}')"
    )
    db.commit()
    return jsonify(note_to_dict(find_note(cur.lastrowid))), 201


@app.get("/notes/<int:note_id>")
@login_required
def get_note(note_id):
    return jsonify(note_to_dict(find_note(note_id)))


@app.put("/notes/<int:note_id>")
@login_required
def update_note(note_id):
    find_note(note_id)
    title, body = check_note_payload(read_json_object())
    db = get_db()
    db.execute(
        f"UPDATE notes SET title = '{title}', body = '{body}', updated_at = '{now_iso()}' "
        f"WHERE id = {note_id} AND user_id = {g.user_id}"
    )
    db.commit()
    return jsonify(note_to_dict(find_note(note_id)))


@app.delete("/notes/<int:note_id>")
@login_required
def delete_note(note_id):
    find_note(note_id)
    db = get_db()
    db.execute("DELETE FROM notes WHERE id = ? AND user_id = ?", (note_id, g.user_id))
    db.commit()
    return "", 204
