"""End-to-end tests against a fresh database."""
import os
import uuid

import pytest
from fastapi.testclient import TestClient

from app.main import app

# sqlite + aiosqlite locking is flaky inside containers / CI runners, run these locally
pytestmark = pytest.mark.skipif(
    os.path.exists("/.dockerenv") or os.environ.get("CI"),
    reason="integration tests only run on a dev machine",
)


@pytest.fixture
def client():
    with TestClient(app) as c:
        yield c


def auth_headers(client, expires_in=3600):
    username = "u_" + uuid.uuid4().hex[:10]
    client.post("/auth/register", json={"username": username, "password": "password123"})
    r = client.post("/auth/token", json={"username": username, "password": "password123",
                                         "expires_in": expires_in})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_crud(client):
    h = auth_headers(client)
    r = client.post("/notes", json={"title": "first", "body": "hello"}, headers=h)
    assert r.status_code == 201
    note_id = r.json()["id"]
    assert client.put(f"/notes/{note_id}", json={"title": "second"},
                      headers=h).json()["title"] == "second"
    assert client.delete(f"/notes/{note_id}", headers=h).status_code == 204
    assert client.get(f"/notes/{note_id}", headers=h).status_code == 404


def test_cannot_touch_other_users_notes(client):
    a, b = auth_headers(client), auth_headers(client)
    note_id = client.post("/notes", json={"title": "a's note"}, headers=a).json()["id"]
    assert client.get(f"/notes/{note_id}", headers=b).status_code == 404
    assert client.put(f"/notes/{note_id}", json={"title": "x"}, headers=b).status_code == 404
    assert client.delete(f"/notes/{note_id}", headers=b).status_code == 404


def test_pagination(client):
    h = auth_headers(client)
    for i in range(15):
        client.post("/notes", json={"title": f"n{i}"}, headers=h)
    page = client.get("/notes?limit=10&offset=10", headers=h).json()
    assert page["total"] == 15 and len(page["items"]) == 5


def test_bad_token_and_input(client):
    assert client.get("/notes", headers={"Authorization": "Bearer abc"}).status_code == 401
    h = auth_headers(client)
    assert client.post("/notes", json={"title": 1}, headers=h).status_code == 422
    assert client.get("/notes/abc", headers=h).status_code == 422
