from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from notes_api.models import Token, User, db
from tests.conftest import login


def test_health(client: FlaskClient) -> None:
    assert client.get("/health").status_code == 200


def test_register_hides_the_password(client: FlaskClient) -> None:
    r = client.post("/auth/register", json={"username": "carol_9", "password": "long enough"})
    assert r.status_code == 201
    assert r.json["username"] == "carol_9" and "password" not in r.json


def test_duplicate_username_is_409(client: FlaskClient, alice: dict[str, str]) -> None:
    r = client.post("/auth/register", json={"username": "alice", "password": "something else"})
    assert r.status_code == 409


@pytest.mark.parametrize("body", [{}, {"username": "ab", "password": "long enough"},
                                  {"username": "good_name", "password": "short"},
                                  {"username": 5, "password": "long enough"}])
def test_invalid_registration_is_400(client: FlaskClient, body: dict) -> None:
    assert client.post("/auth/register", json=body).status_code == 400


def test_passwords_are_salted_hashes(app: Flask, client: FlaskClient) -> None:
    login(client, "dora")
    login(client, "erin")
    with app.app_context():
        hashes = [u.password_hash for u in db.session.scalars(db.select(User))]
    assert all(h.startswith("scrypt:") for h in hashes)
    assert hashes[0] != hashes[1]  # same password, different salt


def test_login_failures_look_the_same(client: FlaskClient, alice: dict[str, str]) -> None:
    wrong = client.post("/auth/token", json={"username": "alice", "password": "wrong one!"})
    unknown = client.post("/auth/token", json={"username": "nobody", "password": "wrong one!"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json


def test_expired_tokens_are_refused(app: Flask, client: FlaskClient) -> None:
    headers = {"Authorization": f"Bearer {login(client, 'fred', expires_in=60)}"}
    assert client.get("/notes", headers=headers).status_code == 200
    with app.app_context():
        for token in db.session.scalars(db.select(Token)):
            token.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/notes", headers=headers).status_code == 401


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer nope", "Token abc"])
def test_bad_tokens_are_401(client: FlaskClient, header: str) -> None:
    assert client.get("/notes", headers={"Authorization": header}).status_code == 401


@pytest.mark.parametrize("expires_in", [0, 86401, "soon", True])
def test_bad_lifetimes_are_400(client: FlaskClient, alice: dict[str, str],
                               expires_in: object) -> None:
    r = client.post("/auth/token", json={"username": "alice", "password": "long enough pw",
                                         "expires_in": expires_in})
    assert r.status_code == 400
