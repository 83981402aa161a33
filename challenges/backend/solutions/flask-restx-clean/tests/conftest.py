from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from notes_api import create_app
from notes_api.models import db


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = create_app({"TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}"})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def login(client: FlaskClient, username: str, password: str = "long enough pw",
          expires_in: int | None = None) -> str:
    r = client.post("/auth/register", json={"username": username, "password": password})
    assert r.status_code == 201, r.json
    body: dict[str, object] = {"username": username, "password": password}
    if expires_in is not None:
        body["expires_in"] = expires_in
    r = client.post("/auth/token", json=body)
    assert r.status_code == 200, r.json
    return r.json["access_token"]


@pytest.fixture
def alice(client: FlaskClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {login(client, 'alice')}"}


@pytest.fixture
def bob(client: FlaskClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {login(client, 'bob')}"}
