import os
import tempfile
import uuid
from collections.abc import Iterator

import pytest

os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="starlette-notes-")

from starlette.testclient import TestClient  # noqa: E402

from notes_api.app import app  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def login(client: TestClient, expires_in: int = 3600) -> dict[str, str]:
    name = "t_" + uuid.uuid4().hex[:10]
    creds = {"username": name, "password": "a fine password"}
    assert client.post("/auth/register", json=creds).status_code == 201
    r = client.post("/auth/token", json={**creds, "expires_in": expires_in})
    assert r.status_code == 200
    return {"Authorization": "Bearer " + r.json()["access_token"]}


def test_register_validation(client: TestClient) -> None:
    assert client.post("/auth/register", json={"username": "x", "password": "long enough"}).status_code == 422
    assert client.post("/auth/register", json={"username": "okname", "password": "short"}).status_code == 422
    assert client.post("/auth/register", content=b"{nope", headers={"content-type": "application/json"}).status_code == 400
    client.post("/auth/register", json={"username": "taken_name", "password": "long enough"})
    assert client.post("/auth/register", json={"username": "taken_name", "password": "long enough"}).status_code == 409


def test_auth_required_and_bad_tokens(client: TestClient) -> None:
    assert client.get("/notes").status_code == 401
    assert client.get("/notes", headers={"Authorization": "Bearer forged"}).status_code == 401
    r = client.post("/auth/token", json={"username": "taken_name", "password": "wrong password"})
    assert r.status_code == 401


def test_expired_token(client: TestClient) -> None:
    import time

    auth = login(client, expires_in=1)
    assert client.get("/notes", headers=auth).status_code == 200
    time.sleep(1.1)
    assert client.get("/notes", headers=auth).status_code == 401


def test_note_lifecycle(client: TestClient) -> None:
    auth = login(client)
    r = client.post("/notes", json={"title": "Tea ☕", "body": "green"}, headers=auth)
    assert r.status_code == 201
    note = r.json()
    r = client.put(f"/notes/{note['id']}", json={"title": "Coffee"}, headers=auth)
    assert r.status_code == 200 and r.json()["body"] == ""
    assert client.delete(f"/notes/{note['id']}", headers=auth).status_code == 204
    assert client.get(f"/notes/{note['id']}", headers=auth).status_code == 404


def test_ownership(client: TestClient) -> None:
    owner, stranger = login(client), login(client)
    note_id = client.post("/notes", json={"title": "mine"}, headers=owner).json()["id"]
    assert client.get(f"/notes/{note_id}", headers=stranger).status_code == 404
    assert client.delete(f"/notes/{note_id}", headers=stranger).status_code == 404
    assert client.get(f"/notes/{note_id}", headers=owner).status_code == 200


def test_pagination(client: TestClient) -> None:
    auth = login(client)
    for i in range(12):
        client.post("/notes", json={"title": f"#{i}"}, headers=auth)
    page = client.get("/notes?limit=5&offset=10", headers=auth).json()
    assert page["total"] == 12 and [n["title"] for n in page["items"]] == ["#10", "#11"]
    assert client.get("/notes?limit=500", headers=auth).status_code == 422
    assert client.get("/notes?offset=x", headers=auth).status_code == 422
