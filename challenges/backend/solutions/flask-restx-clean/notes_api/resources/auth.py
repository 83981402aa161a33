from typing import Any

from flask import request
from flask_restx import Namespace, Resource, abort, fields
from sqlalchemy.exc import IntegrityError

from notes_api.models import User, db
from notes_api.security import hash_password, issue_token, verify_login

ns = Namespace("auth", description="Accounts and tokens")

credentials = ns.model("Credentials", {
    "username": fields.String(required=True, pattern=r"^[A-Za-z0-9_]{3,32}$"),
    "password": fields.String(required=True, min_length=8, max_length=128),
})
token_request = ns.model("TokenRequest", {
    "username": fields.String(required=True, max_length=64),
    "password": fields.String(required=True, max_length=128),
    "expires_in": fields.Integer(default=3600, min=1, max=86400),
})
user_out = ns.model("User", {"id": fields.Integer, "username": fields.String})


def json_object() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "the body must be a JSON object")
    return data


@ns.route("/register")
class Register(Resource):
    @ns.expect(credentials, validate=True)
    @ns.marshal_with(user_out, code=201)
    def post(self) -> tuple[User, int]:
        data = json_object()
        user = User(username=data["username"], password_hash=hash_password(data["password"]))
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            abort(409, "that username is taken")
        return user, 201


@ns.route("/token")
class Login(Resource):
    @ns.expect(token_request, validate=True)
    def post(self) -> dict[str, Any]:
        data = json_object()
        expires_in = data.get("expires_in", 3600)
        if isinstance(expires_in, bool):
            abort(400, "expires_in must be an integer")
        user = verify_login(data["username"], data["password"])
        if user is None:
            abort(401, "invalid username or password")
        return {"access_token": issue_token(user, expires_in), "token_type": "bearer",
                "expires_in": expires_in}
