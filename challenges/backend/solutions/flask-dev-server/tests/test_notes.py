import pytest

import notes_app


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setattr(notes_app, "DATA_DIR", str(tmp_path))
    monkeypatch.setattr(notes_app, "DB_PATH", str(tmp_path / "t.sqlite3"))
    return notes_app.app.test_client()


def login(client, name="ada_1"):
    client.post("/auth/register", json={"username": name, "password": "long enough"})
    token = client.post("/auth/token", json={"username": name, "password": "long enough"})
    return {"Authorization": "Bearer " + token.get_json()["access_token"]}


def test_create_and_read(client):
    headers = login(client)
    created = client.post("/notes", json={"title": "t", "body": "b"}, headers=headers)
    assert created.status_code == 201
    note_id = created.get_json()["id"]
    assert client.get(f"/notes/{note_id}", headers=headers).get_json()["title"] == "t"


def test_other_user_gets_404(client):
    note_id = client.post("/notes", json={"title": "t"}, headers=login(client)).get_json()["id"]
    assert client.get(f"/notes/{note_id}", headers=login(client, "bob_2")).status_code == 404


def test_requires_token(client):
    assert client.get("/notes").status_code == 401
