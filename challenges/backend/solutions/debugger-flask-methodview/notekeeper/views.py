"""The API as MethodViews: one class per resource, one method per HTTP verb."""

import secrets
from functools import wraps

from flask import Flask, abort, current_app, g, request
from flask.views import MethodView
from werkzeug.security import check_password_hash, generate_password_hash

from notekeeper.store import Store, UsernameTaken
from notekeeper.validation import USERNAME_RE, json_body, note_id_or_404, query_int, string


def store() -> Store:
    return current_app.extensions["store"]


def auth_required(method):
    @wraps(method)
    def wrapper(*args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            abort(401, "a bearer token is required")
        user_id = store().user_for_token(token.strip())
        if user_id is None:
            abort(401, "invalid or expired token")
        g.user_id = user_id
        return method(*args, **kwargs)
    return wrapper


class RegisterAPI(MethodView):
    def post(self):
        data = json_body()
        username = data.get("username")
        if not isinstance(username, str) or not USERNAME_RE.match(username):
            abort(422, "'username' must be 3-32 letters, digits or underscores")
        password = string(data, "password", min_len=8, max_len=128)
        try:
            user_id = store().add_user(username, generate_password_hash(password))
        except UsernameTaken:
            abort(409, "that username is taken")
        return {"id": user_id, "username": username}, 201


class TokenAPI(MethodView):
    def post(self):
        data = json_body()
        username, password = data.get("username"), data.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            abort(422, "'username' and 'password' are required")
        ttl = data.get("expires_in", current_app.config["TOKEN_TTL_DEFAULT"])
        if type(ttl) is not int or not 1 <= ttl <= 86400:
            abort(422, "'expires_in' must be an integer between 1 and 86400")
        user = store().find_user(username)
        if user is None or not check_password_hash(user["password_hash"], password):
            abort(401, "invalid username or password")
        token = secrets.token_hex(32)
        store().add_session(token, user["id"], ttl)
        return {"access_token": token, "token_type": "bearer", "expires_in": ttl}


class NoteListAPI(MethodView):
    decorators = [auth_required]

    def get(self):
        limit = query_int("limit", 20, 1, 100)
        offset = query_int("offset", 0, 0, 2**63 - 1)
        items, total = store().list_notes(g.user_id, limit, offset)
        return {"items": items, "total": total, "limit": limit, "offset": offset}

    def post(self):
        data = json_body()
        title = string(data, "title", min_len=1, max_len=200)
        body = string(data, "body", min_len=0, max_len=10_000, default="")
        return store().add_note(g.user_id, title, body), 201


class NoteAPI(MethodView):
    decorators = [auth_required]

    def get(self, note_id: str):
        note = store().get_note(g.user_id, note_id_or_404(note_id))
        if note is None:
            abort(404, "no such note")
        return note

    def put(self, note_id: str):
        nid = note_id_or_404(note_id)
        if store().get_note(g.user_id, nid) is None:
            abort(404, "no such note")
        data = json_body()
        title = string(data, "title", min_len=1, max_len=200)
        body = string(data, "body", min_len=0, max_len=10_000, default="")
        return store().update_note(g.user_id, nid, title, body)

    def delete(self, note_id: str):
        if not store().delete_note(g.user_id, note_id_or_404(note_id)):
            abort(404, "no such note")
        return "", 204


def register_views(app: Flask) -> None:
    app.add_url_rule("/auth/register", view_func=RegisterAPI.as_view("register"))
    app.add_url_rule("/auth/token", view_func=TokenAPI.as_view("token"))
    app.add_url_rule("/notes", view_func=NoteListAPI.as_view("notes"))
    app.add_url_rule("/notes/<note_id>", view_func=NoteAPI.as_view("note"))
