import hashlib
import re
import secrets
import time
from functools import wraps

from flask import Blueprint, g, jsonify, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import Conflict, Unauthorized
from werkzeug.security import check_password_hash, generate_password_hash

from notesapp.errors import ValidationError
from notesapp.extensions import db
from notesapp.models import AccessToken, User

bp = Blueprint("auth", __name__, url_prefix="/auth")

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_]{3,32}")
DEFAULT_EXPIRES_IN = 3600
MAX_EXPIRES_IN = 86400


def json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("Request body must be a JSON object", status=400)
    return data


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@bp.post("/register")
def register():
    data = json_body()
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not USERNAME_PATTERN.fullmatch(username):
        raise ValidationError("username: 3-32 characters, letters, digits and _ only")
    if not isinstance(password, str) or not 8 <= len(password) <= 128:
        raise ValidationError("password: 8-128 characters")

    user = User(username=username, password_hash=generate_password_hash(password))
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("That username is taken")
    return jsonify(user.to_dict()), 201


@bp.post("/token")
def token():
    data = json_body()
    username, password = data.get("username"), data.get("password")
    expires_in = data.get("expires_in", DEFAULT_EXPIRES_IN)
    if not isinstance(username, str) or not isinstance(password, str):
        raise ValidationError("username and password are required")
    if isinstance(expires_in, bool) or not isinstance(expires_in, int) \
            or not 1 <= expires_in <= MAX_EXPIRES_IN:
        raise ValidationError(f"expires_in must be an integer from 1 to {MAX_EXPIRES_IN}")

    user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
    if user is None or not check_password_hash(user.password_hash, password):
        raise Unauthorized("Invalid username or password")

    raw = secrets.token_urlsafe(32)
    db.session.add(AccessToken(token_hash=_hash_token(raw), user_id=user.id,
                               expires_at=time.time() + expires_in))
    db.session.commit()
    return jsonify(access_token=raw, token_type="bearer", expires_in=expires_in)


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        auth = request.headers.get("Authorization", "")
        parts = auth.split()
        if len(parts) != 2 or parts[0].lower() != "bearer":
            raise Unauthorized("Missing or malformed Authorization header")
        record = db.session.get(AccessToken, _hash_token(parts[1]))
        if record is None or record.expires_at <= time.time():
            raise Unauthorized("Invalid or expired token")
        g.current_user = record.user
        return view(*args, **kwargs)

    return wrapped
