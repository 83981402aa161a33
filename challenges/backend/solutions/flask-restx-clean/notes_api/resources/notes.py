from datetime import UTC, datetime
from typing import Any

from flask import g, request
from flask_restx import Namespace, Resource, abort, fields

from notes_api.models import Note, db
from notes_api.resources.auth import json_object
from notes_api.security import auth_required

MAX_ID = 2**63 - 1

ns = Namespace("notes", description="The current user's notes")
note_in = ns.model("NoteIn", {
    "title": fields.String(required=True, min_length=1, max_length=200),
    "body": fields.String(default="", max_length=10_000),
})
note_out = ns.model("Note", {
    "id": fields.Integer,
    "title": fields.String,
    "body": fields.String,
    "created_at": fields.DateTime(dt_format="iso8601"),
    "updated_at": fields.DateTime(dt_format="iso8601"),
})
note_page = ns.model("NotePage", {
    "items": fields.List(fields.Nested(note_out)),
    "total": fields.Integer,
    "limit": fields.Integer,
    "offset": fields.Integer,
})


def int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(400, f"{name} must be an integer")
    if not low <= value <= high:
        abort(400, f"{name} must be between {low} and {high}")
    return value


def own_note(note_id: int) -> Note:
    note = None
    if 1 <= note_id <= MAX_ID:
        note = db.session.execute(
            db.select(Note).filter_by(id=note_id, owner_id=g.current_user.id)
        ).scalar_one_or_none()
    if note is None:
        abort(404, "note not found")
    return note


def note_fields() -> tuple[str, str]:
    data = json_object()
    return data["title"], data.get("body", "")


@ns.route("")
class NoteList(Resource):
    method_decorators = [auth_required]

    @ns.marshal_with(note_page)
    def get(self) -> dict[str, Any]:
        limit = int_arg("limit", 20, 1, 100)
        offset = int_arg("offset", 0, 0, MAX_ID)
        mine = db.select(Note).filter_by(owner_id=g.current_user.id)
        total = db.session.scalar(db.select(db.func.count()).select_from(mine.subquery()))
        items = db.session.scalars(mine.order_by(Note.id).limit(limit).offset(offset)).all()
        return {"items": items, "total": total, "limit": limit, "offset": offset}

    @ns.expect(note_in, validate=True)
    @ns.marshal_with(note_out, code=201)
    def post(self) -> tuple[Note, int]:
        title, body = note_fields()
        note = Note(owner_id=g.current_user.id, title=title, body=body)
        db.session.add(note)
        db.session.commit()
        return note, 201


@ns.route("/<int:note_id>")
class NoteItem(Resource):
    method_decorators = [auth_required]

    @ns.marshal_with(note_out)
    def get(self, note_id: int) -> Note:
        return own_note(note_id)

    @ns.expect(note_in, validate=True)
    @ns.marshal_with(note_out)
    def put(self, note_id: int) -> Note:
        note = own_note(note_id)
        note.title, note.body = note_fields()
        note.updated_at = datetime.now(UTC)
        db.session.commit()
        return note

    def delete(self, note_id: int) -> tuple[str, int]:
        db.session.delete(own_note(note_id))
        db.session.commit()
        return "", 204
