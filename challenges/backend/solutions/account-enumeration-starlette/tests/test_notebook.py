import pytest
from starlette.testclient import TestClient

from notebook_api.main import create_app


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(f"sqlite+aiosqlite:///{tmp_path / 't.db'}")) as client:
        yield client


def sign_in(client, username="sofia_m", password="a strong password"):
    client.post("/auth/register", json={"username": username, "password": password})
    r = client.post("/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_register(client):
    r = client.post("/auth/register", json={"username": "sofia_m", "password": "a strong one"})
    assert r.status_code == 201 and r.json()["username"] == "sofia_m"


def test_unknown_user_and_wrong_password(client):
    sign_in(client)
    assert client.post("/auth/token", json={"username": "ghost", "password": "whatever1"}
                       ).status_code == 404
    assert client.post("/auth/token", json={"username": "sofia_m", "password": "whatever1"}
                       ).status_code == 401


def test_crud_and_ownership(client):
    sofia = sign_in(client)
    marco = sign_in(client, "marco_b")
    note = client.post("/notes", json={"title": "plan", "body": "x"}, headers=sofia).json()
    assert client.get(f"/notes/{note['id']}", headers=marco).status_code == 404
    r = client.put(f"/notes/{note['id']}", json={"title": "plan b"}, headers=sofia)
    assert r.json()["title"] == "plan b"
    assert client.delete(f"/notes/{note['id']}", headers=sofia).status_code == 204
    assert client.get(f"/notes/{note['id']}", headers=sofia).status_code == 404


def test_requires_token(client):
    assert client.get("/notes").status_code == 401


def test_invalid_input(client):
    headers = sign_in(client)
    assert client.post("/notes", content=b"{nope", headers=headers).status_code == 400
    assert client.post("/notes", json={"title": ""}, headers=headers).status_code == 422
    assert client.get("/notes?offset=-1", headers=headers).status_code == 422


def test_pagination(client):
    headers = sign_in(client)
    for i in range(3):
        client.post("/notes", json={"title": f"t{i}"}, headers=headers)
    body = client.get("/notes?limit=2", headers=headers).json()
    assert body["total"] == 3 and len(body["items"]) == 2
