"""Notes API in one Flask file: sqlite3, opaque tokens stored with an expiry."""

import os
import secrets
import sqlite3
import time
from datetime import datetime, timezone
from functools import wraps

from flask import Flask, g, jsonify, request
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.security import check_password_hash, generate_password_hash

DATA_DIR = os.environ.get("DATA_DIR", "data")
DB_PATH = os.path.join(DATA_DIR, "notes.sqlite3")

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL,
                                  password_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, user_id INTEGER NOT NULL,
                                   expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,
                                  title TEXT NOT NULL, body TEXT NOT NULL,
                                  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
"""


def db():
    if "db" not in g:
        os.makedirs(DATA_DIR, exist_ok=True)
        g.db = sqlite3.connect(DB_PATH, timeout=10)
        g.db.row_factory = sqlite3.Row
        g.db.executescript(SCHEMA)
    return g.db


@app.teardown_appcontext
def close_db(exc):
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def error(status, message):
    return jsonify({"error": message}), status


@app.errorhandler(HTTPException)
def http_error(exc):
    return error(exc.code, exc.description)


def now():
    return datetime.now(timezone.utc).isoformat()


def body_json():
    try:
        data = request.get_json(force=True)
    except BadRequest:
        return None
    return data if isinstance(data, dict) else None


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not header[7:].strip():
            return error(401, "missing token")
        row = db().execute("SELECT user_id, expires_at FROM tokens WHERE token = ?",
                           (header[7:].strip(),)).fetchone()
        if row is None or row["expires_at"] < time.time():
            return error(401, "invalid or expired token")
        g.user_id = row["user_id"]
        return view(*args, **kwargs)
    return wrapper


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/auth/register")
def register():
    data = body_json()
    if data is None:
        return error(400, "expected a JSON object")
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not (3 <= len(username) <= 32) or \
            not username.replace("_", "").isalnum():
        return error(422, "username: 3-32 letters, digits or _")
    if not isinstance(password, str) or not (8 <= len(password) <= 128):
        return error(422, "password: 8-128 characters")
    try:
        cur = db().execute("INSERT INTO users (username, password_hash) VALUES (?, ?)",
                           (username, generate_password_hash(password)))
        db().commit()
    except sqlite3.IntegrityError:
        return error(409, "username taken")
    return {"id": cur.lastrowid, "username": username}, 201


@app.post("/auth/token")
def token():
    data = body_json()
    if data is None:
        return error(400, "expected a JSON object")
    username, password = data.get("username"), data.get("password")
    expires_in = data.get("expires_in", 3600)
    if not isinstance(username, str) or not isinstance(password, str):
        return error(422, "username and password are required")
    if isinstance(expires_in, bool) or not isinstance(expires_in, int) or \
            not 1 <= expires_in <= 86400:
        return error(422, "expires_in: 1-86400")
    user = db().execute("SELECT id, password_hash FROM users WHERE username = ?",
                        (username,)).fetchone()
    if user is None or not check_password_hash(user["password_hash"], password):
        return error(401, "wrong username or password")
    value = secrets.token_urlsafe(32)
    db().execute("INSERT INTO tokens VALUES (?, ?, ?)", (value, user["id"],
                                                          time.time() + expires_in))
    db().commit()
    return {"access_token": value, "token_type": "bearer", "expires_in": expires_in}


def note_payload(data):
    title, body = data.get("title"), data.get("body", "")
    if not isinstance(title, str) or not 1 <= len(title) <= 200:
        return None, "title: 1-200 characters"
    if not isinstance(body, str) or len(body) > 10000:
        return None, "body: at most 10000 characters"
    return (title, body), None


def as_dict(row):
    return {k: row[k] for k in ("id", "title", "body", "created_at", "updated_at")}


@app.post("/notes")
@login_required
def create_note():
    data = body_json()
    if data is None:
        return error(400, "expected a JSON object")
    fields, problem = note_payload(data)
    if problem:
        return error(422, problem)
    stamp = now()
    cur = db().execute("INSERT INTO notes (user_id, title, body, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?)", (g.user_id, *fields, stamp, stamp))
    db().commit()
    row = db().execute("SELECT * FROM notes WHERE id = ?", (cur.lastrowid,)).fetchone()
    return as_dict(row), 201


@app.get("/notes")
@login_required
def list_notes():
    try:
        limit = int(request.args.get("limit", 20))
        offset = int(request.args.get("offset", 0))
    except ValueError:
        return error(422, "limit and offset must be integers")
    if not 1 <= limit <= 100 or offset < 0:
        return error(422, "limit: 1-100, offset: 0 or more")
    rows = db().execute("SELECT * FROM notes WHERE user_id = ? ORDER BY id LIMIT ? OFFSET ?",
                        (g.user_id, limit, offset)).fetchall()
    total = db().execute("SELECT COUNT(*) FROM notes WHERE user_id = ?",
                         (g.user_id,)).fetchone()[0]
    return {"items": [as_dict(r) for r in rows], "total": total, "limit": limit,
            "offset": offset}


def own_note(note_id):
    return db().execute("SELECT * FROM notes WHERE id = ? AND user_id = ?",
                        (note_id, g.user_id)).fetchone()


@app.get("/notes/<int:note_id>")
@login_required
def get_note(note_id):
    row = own_note(note_id)
    return as_dict(row) if row else error(404, "no such note")


@app.put("/notes/<int:note_id>")
@login_required
def update_note(note_id):
    if own_note(note_id) is None:
        return error(404, "no such note")
    data = body_json()
    if data is None:
        return error(400, "expected a JSON object")
    fields, problem = note_payload(data)
    if problem:
        return error(422, problem)
    db().execute("UPDATE notes SET title = ?, body = ?, updated_at = ? WHERE id = ?",
                 (*fields, now(), note_id))
    db().commit()
    return as_dict(own_note(note_id))


@app.delete("/notes/<int:note_id>")
@login_required
def delete_note(note_id):
    if own_note(note_id) is None:
        return error(404, "no such note")
    db().execute("DELETE FROM notes WHERE id = ?", (note_id,))
    db().commit()
    return "", 204


if __name__ == "__main__":
    app.run(debug=True)
