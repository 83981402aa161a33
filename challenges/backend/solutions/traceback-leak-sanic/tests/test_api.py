import pytest
from sanic import Sanic

from notes_sanic.server import create_app


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    Sanic.test_mode = True
    return create_app(f"notes_test_{tmp_path.name}")


def login(app, username="chen_w", password="long password"):
    app.test_client.post("/auth/register", json={"username": username, "password": password})
    _, r = app.test_client.post("/auth/token", json={"username": username, "password": password})
    assert r.status == 200
    return {"Authorization": f"Bearer {r.json['access_token']}"}


def test_health(app):
    _, r = app.test_client.get("/health")
    assert r.status == 200


def test_register_twice(app):
    login(app)
    _, r = app.test_client.post("/auth/register", json={"username": "chen_w",
                                                        "password": "long password"})
    assert r.status == 409


def test_notes_roundtrip(app):
    headers = login(app)
    _, r = app.test_client.post("/notes", json={"title": "a", "body": "b"}, headers=headers)
    assert r.status == 201
    note_id = r.json["id"]
    _, r = app.test_client.put(f"/notes/{note_id}", json={"title": "c"}, headers=headers)
    assert r.json["title"] == "c"
    _, r = app.test_client.delete(f"/notes/{note_id}", headers=headers)
    assert r.status == 204
    _, r = app.test_client.get(f"/notes/{note_id}", headers=headers)
    assert r.status == 404


def test_other_users_notes_are_hidden(app):
    chen = login(app)
    dana = login(app, "dana_r")
    _, r = app.test_client.post("/notes", json={"title": "mine"}, headers=chen)
    _, other = app.test_client.get(f"/notes/{r.json['id']}", headers=dana)
    assert other.status == 404


def test_token_required(app):
    _, r = app.test_client.get("/notes")
    assert r.status == 401


def test_validation(app):
    headers = login(app)
    for body in ({}, {"title": ""}, {"title": 1}, {"title": "t", "body": []}):
        _, r = app.test_client.post("/notes", json=body, headers=headers)
        assert r.status == 422
    _, r = app.test_client.get("/notes?limit=abc", headers=headers)
    assert r.status == 422
