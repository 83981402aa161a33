import pytest
from starlette.testclient import TestClient

from server import app

PASSWORD = "a-good-password"


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    with TestClient(app) as c:
        yield c


def login(client, username):
    assert client.post("/auth/register",
                       json={"username": username, "password": PASSWORD}).status_code == 201
    resp = client.post("/auth/token", json={"username": username, "password": PASSWORD})
    assert resp.status_code == 200
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def test_register_and_login(client):
    login(client, "ada")
    assert client.post("/auth/register",
                       json={"username": "ada", "password": PASSWORD}).status_code == 409
    assert client.post("/auth/token",
                       json={"username": "ada", "password": "nope-nope"}).status_code == 401


def test_notes_crud(client):
    auth = login(client, "grace")
    created = client.post("/notes", json={"title": "hello", "body": "world"}, headers=auth)
    assert created.status_code == 201
    note_id = created.json()["id"]
    updated = client.put(f"/notes/{note_id}", json={"title": "hi"}, headers=auth)
    assert updated.json()["title"] == "hi" and updated.json()["body"] == ""
    assert client.delete(f"/notes/{note_id}", headers=auth).status_code == 204
    assert client.get(f"/notes/{note_id}", headers=auth).status_code == 404


def test_ownership(client):
    owner, stranger = login(client, "owner"), login(client, "stranger")
    note_id = client.post("/notes", json={"title": "mine"}, headers=owner).json()["id"]
    assert client.get(f"/notes/{note_id}", headers=stranger).status_code == 404
    assert client.put(f"/notes/{note_id}", json={"title": "x"},
                      headers=stranger).status_code == 404
    assert client.delete(f"/notes/{note_id}", headers=stranger).status_code == 404
    assert client.get(f"/notes/{note_id}", headers=owner).json()["title"] == "mine"


def test_list_is_paginated(client):
    auth = login(client, "pager")
    for i in range(12):
        client.post("/notes", json={"title": f"t{i}"}, headers=auth)
    first = client.get("/notes?limit=10", headers=auth).json()
    second = client.get("/notes?limit=10&offset=10", headers=auth).json()
    assert first["total"] == 12 and len(first["items"]) == 10 and len(second["items"]) == 2


@pytest.mark.parametrize("payload", [{}, {"title": ""}, {"title": 5}, {"title": "x" * 201}])
def test_bad_notes_rejected(client, payload):
    auth = login(client, "validator")
    assert client.post("/notes", json=payload, headers=auth).status_code == 422


def test_requires_valid_token(client):
    assert client.get("/notes").status_code == 401
    assert client.get("/notes", headers={"Authorization": "Bearer nope"}).status_code == 401
