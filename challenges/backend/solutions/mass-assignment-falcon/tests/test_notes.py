import pytest
from falcon import testing

from notes_falcon.app import create_app


@pytest.fixture
def client(tmp_path):
    return testing.TestClient(create_app(f"sqlite:///{tmp_path / 'test.db'}"))


def login(client, username="ana_lima", password="a long password"):
    client.simulate_post("/auth/register", json={"username": username, "password": password})
    r = client.simulate_post("/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200
    return {"Authorization": f"Bearer {r.json['access_token']}"}


def test_register_returns_the_user(client):
    r = client.simulate_post("/auth/register", json={"username": "ana_lima",
                                                     "password": "a long password"})
    assert r.status_code == 201 and r.json["username"] == "ana_lima"
    assert "password" not in r.json


def test_duplicate_username(client):
    login(client)
    r = client.simulate_post("/auth/register", json={"username": "ana_lima",
                                                     "password": "another one"})
    assert r.status_code == 409


def test_create_read_update_delete(client):
    headers = login(client)
    note = client.simulate_post("/notes", json={"title": "a", "body": "b"}, headers=headers).json
    assert client.simulate_get(f"/notes/{note['id']}", headers=headers).json["title"] == "a"
    r = client.simulate_put(f"/notes/{note['id']}", json={"title": "c", "body": "d"},
                            headers=headers)
    assert r.json["title"] == "c"
    assert client.simulate_delete(f"/notes/{note['id']}", headers=headers).status_code == 204
    assert client.simulate_get(f"/notes/{note['id']}", headers=headers).status_code == 404


def test_notes_are_private(client):
    ana = login(client)
    ben = login(client, "ben_ito")
    note = client.simulate_post("/notes", json={"title": "mine"}, headers=ana).json
    assert client.simulate_get(f"/notes/{note['id']}", headers=ben).status_code == 404
    assert client.simulate_put(f"/notes/{note['id']}", json={"title": "x"},
                               headers=ben).status_code == 404
    assert client.simulate_get("/notes", headers=ben).json["total"] == 0


def test_token_required(client):
    assert client.simulate_get("/notes").status_code == 401


@pytest.mark.parametrize("body", [{}, {"title": ""}, {"title": 1}, {"title": "ok", "body": 3}])
def test_invalid_notes(client, body):
    assert client.simulate_post("/notes", json=body, headers=login(client)).status_code == 422


def test_pagination_bounds(client):
    headers = login(client)
    for i in range(3):
        client.simulate_post("/notes", json={"title": str(i)}, headers=headers)
    page = client.simulate_get("/notes", params={"limit": "2", "offset": "2"}, headers=headers)
    assert page.json["total"] == 3 and len(page.json["items"]) == 1
    assert client.simulate_get("/notes", params={"limit": "500"},
                               headers=headers).status_code == 422
