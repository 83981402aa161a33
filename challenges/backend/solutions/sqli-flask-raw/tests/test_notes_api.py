import importlib

import pytest


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    import notes_api

    notes_api = importlib.reload(notes_api)  # pick up the temp DATA_DIR
    notes_api.app.config["TESTING"] = True
    return notes_api.app.test_client()


def register_and_login(client, username, password="hunter2hunter2"):
    r = client.post("/auth/register", json={"username": username, "password": password})
    assert r.status_code == 201
    r = client.post("/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200
    return {"Authorization": "Bearer " + r.get_json()["access_token"]}


def test_health(client):
    assert client.get("/health").status_code == 200


def test_register_duplicate_and_bad_login(client):
    register_and_login(client, "alice")
    r = client.post("/auth/register", json={"username": "alice", "password": "whatever123"})
    assert r.status_code == 409
    r = client.post("/auth/token", json={"username": "alice", "password": "wrong-password"})
    assert r.status_code == 401


def test_note_crud(client):
    h = register_and_login(client, "bob")
    r = client.post("/notes", json={"title": "shopping", "body": "milk"}, headers=h)
    assert r.status_code == 201
    note_id = r.get_json()["id"]

    r = client.put(f"/notes/{note_id}", json={"title": "shopping!", "body": "milk, eggs"}, headers=h)
    assert r.status_code == 200
    assert r.get_json()["body"] == "milk, eggs"

    assert client.get(f"/notes/{note_id}", headers=h).get_json()["title"] == "shopping!"
    assert client.delete(f"/notes/{note_id}", headers=h).status_code == 204
    assert client.get(f"/notes/{note_id}", headers=h).status_code == 404


def test_other_user_cannot_see_note(client):
    a = register_and_login(client, "carol")
    b = register_and_login(client, "dave")
    note_id = client.post("/notes", json={"title": "private"}, headers=a).get_json()["id"]
    assert client.get(f"/notes/{note_id}", headers=b).status_code == 404
    assert client.get("/notes", headers=b).get_json()["total"] == 0


def test_pagination(client):
    h = register_and_login(client, "erin")
    for i in range(5):
        client.post("/notes", json={"title": f"n{i}"}, headers=h)
    page = client.get("/notes?limit=2&offset=2", headers=h).get_json()
    assert page["total"] == 5
    assert [n["title"] for n in page["items"]] == ["n2", "n3"]


def test_auth_and_validation(client):
    assert client.get("/notes").status_code == 401
    h = register_and_login(client, "frank")
    assert client.post("/notes", json={"title": ""}, headers=h).status_code == 422
    assert client.post("/notes", data="{nope", content_type="application/json",
                       headers=h).status_code == 400
    assert client.get("/notes?limit=1000", headers=h).status_code == 422
