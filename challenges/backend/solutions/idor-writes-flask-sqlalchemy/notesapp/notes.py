from flask import Blueprint, g, jsonify, request

from notesapp.auth import json_body, token_required
from notesapp.errors import ValidationError
from notesapp.extensions import db
from notesapp.models import Note, utcnow

bp = Blueprint("notes", __name__, url_prefix="/notes")

# SQLite integers are 64-bit; larger ids can't exist
NOTE_ID = "<int(min=1, max=9223372036854775807):note_id>"


def validate_note(data: dict) -> tuple[str, str]:
    title = data.get("title")
    body = data.get("body", "")
    if not isinstance(title, str) or not title:
        raise ValidationError("title is required and must be a non-empty string")
    if len(title) > 200:
        raise ValidationError("title must be at most 200 characters")
    if not isinstance(body, str):
        raise ValidationError("body must be a string")
    if len(body) > 10_000:
        raise ValidationError("body must be at most 10000 characters")
    return title, body


def int_query_arg(name: str, default: int, minimum: int, maximum: int) -> int:
    value = request.args.get(name, default)
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{name} must be an integer")
    if not minimum <= value <= maximum:
        raise ValidationError(f"{name} must be between {minimum} and {maximum}")
    return value


def get_own_note_or_404(note_id: int) -> Note:
    return db.first_or_404(
        db.select(Note).filter_by(id=note_id, owner_id=g.current_user.id),
        description="Note not found",
    )


@bp.get("")
@token_required
def list_notes():
    limit = int_query_arg("limit", 20, 1, 100)
    offset = int_query_arg("offset", 0, 0, 2**63 - 1)
    query = db.select(Note).filter_by(owner_id=g.current_user.id)
    total = db.session.scalar(db.select(db.func.count()).select_from(query.subquery()))
    notes = db.session.scalars(query.order_by(Note.id).limit(limit).offset(offset)).all()
    return jsonify(items=[n.to_dict() for n in notes], total=total, limit=limit, offset=offset)


@bp.post("")
@token_required
def create_note():
    title, body = validate_note(json_body())
    note = Note(owner_id=g.current_user.id, title=title, body=body)
    db.session.add(note)
    db.session.commit()
    return jsonify(note.to_dict()), 201


@bp.get(f"/{NOTE_ID}")
@token_required
def get_note(note_id: int):
    return jsonify(get_own_note_or_404(note_id).to_dict())


@bp.put(f"/{NOTE_ID}")
@token_required
def update_note(note_id: int):
    note = db.get_or_404(Note, note_id, description="Note not found")
    title, body = validate_note(json_body())
    note.title = title
    note.body = body
    note.updated_at = utcnow()
    db.session.commit()
    return jsonify(note.to_dict())


@bp.delete(f"/{NOTE_ID}")
@token_required
def delete_note(note_id: int):
    note = db.get_or_404(Note, note_id, description="Note not found")
    db.session.delete(note)
    db.session.commit()
    return "", 204
