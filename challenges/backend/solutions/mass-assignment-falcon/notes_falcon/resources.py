"""Falcon resources: one class per route, responders per HTTP method."""

from datetime import datetime, timezone

import falcon
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from notes_falcon.auth import hash_password, new_token, password_matches, require_user
from notes_falcon.db import Note, User
from notes_falcon.validate import USERNAME, check_note, json_object, query_int


def apply_changes(note: Note, data: dict) -> None:
    """Copy the request's fields onto the note (the model decides what exists)."""
    for field, value in data.items():
        if hasattr(Note, field) and not field.startswith("_"):
            setattr(note, field, value)
    note.updated_at = datetime.now(timezone.utc)


class Health:
    def on_get(self, req, resp):
        resp.media = {"status": "ok"}


class Register:
    def __init__(self, sessions):
        self.sessions = sessions

    def on_post(self, req, resp):
        data = json_object(req)
        username, password = data.get("username"), data.get("password")
        if not isinstance(username, str) or not USERNAME.match(username):
            raise falcon.HTTPUnprocessableEntity(
                title="Invalid username", description="3-32 letters, digits or underscores")
        if not isinstance(password, str) or not 8 <= len(password) <= 128:
            raise falcon.HTTPUnprocessableEntity(
                title="Invalid password", description="8-128 characters")
        with self.sessions() as session:
            user = User(username=username, password_hash=hash_password(password))
            session.add(user)
            try:
                session.commit()
            except IntegrityError:
                raise falcon.HTTPConflict(title="Conflict", description="username taken")
            resp.media = {"id": user.id, "username": user.username}
        resp.status = falcon.HTTP_201


class TokenResource:
    def __init__(self, sessions):
        self.sessions = sessions

    def on_post(self, req, resp):
        data = json_object(req)
        username, password = data.get("username"), data.get("password")
        ttl = data.get("expires_in", 3600)
        if not isinstance(username, str) or not isinstance(password, str):
            raise falcon.HTTPUnprocessableEntity(title="Invalid credentials",
                                                 description="username and password required")
        if type(ttl) is not int or not 1 <= ttl <= 86400:
            raise falcon.HTTPUnprocessableEntity(title="Invalid expires_in",
                                                 description="1 to 86400 seconds")
        with self.sessions() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None or not password_matches(password, user.password_hash):
                raise falcon.HTTPUnauthorized(title="Unauthorized",
                                              description="wrong username or password")
            resp.media = {"access_token": new_token(session, user, ttl),
                          "token_type": "bearer", "expires_in": ttl}


@falcon.before(require_user)
class NoteCollection:
    def __init__(self, sessions):
        self.sessions = sessions

    def on_get(self, req, resp):
        limit = query_int(req, "limit", 20, 1, 100)
        offset = query_int(req, "offset", 0, 0, 10**18)
        owner = req.context.user_id
        with self.sessions() as session:
            total = session.scalar(select(func.count()).select_from(Note)
                                   .where(Note.owner_id == owner))
            notes = session.scalars(select(Note).where(Note.owner_id == owner)
                                    .order_by(Note.id).limit(limit).offset(offset)).all()
            resp.media = {"items": [n.to_dict() for n in notes], "total": total,
                          "limit": limit, "offset": offset}

    def on_post(self, req, resp):
        data = json_object(req)
        check_note(data)
        with self.sessions() as session:
            note = Note(owner_id=req.context.user_id, body="")
            apply_changes(note, data)
            session.add(note)
            try:
                session.commit()
            except IntegrityError:
                raise falcon.HTTPConflict(title="Conflict", description="note not saved")
            resp.media = note.to_dict()
        resp.status = falcon.HTTP_201


@falcon.before(require_user)
class NoteItem:
    def __init__(self, sessions):
        self.sessions = sessions

    def _own(self, session, req, note_id: int) -> Note:
        note = session.get(Note, note_id)
        if note is None or note.owner_id != req.context.user_id:
            raise falcon.HTTPNotFound(title="Not found", description="no such note")
        return note

    def on_get(self, req, resp, note_id: int):
        with self.sessions() as session:
            resp.media = self._own(session, req, note_id).to_dict()

    def on_put(self, req, resp, note_id: int):
        data = json_object(req)
        check_note(data)
        with self.sessions() as session:
            note = self._own(session, req, note_id)
            apply_changes(note, data)
            try:
                session.commit()
            except IntegrityError:
                raise falcon.HTTPConflict(title="Conflict", description="note not saved")
            resp.media = note.to_dict()

    def on_delete(self, req, resp, note_id: int):
        with self.sessions() as session:
            session.delete(self._own(session, req, note_id))
            session.commit()
        resp.status = falcon.HTTP_204
