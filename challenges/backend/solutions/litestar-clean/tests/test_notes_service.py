"""End-to-end tests through Litestar's TestClient against a throwaway database."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from itertools import count

import pytest

os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="litestar-notes-")

from litestar.testing import TestClient  # noqa: E402

from notes_service.app import create_app  # noqa: E402

_ids = count()


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(app=create_app()) as test_client:
        yield test_client


def sign_in(client: TestClient, **token_args: int) -> dict[str, str]:
    creds = {"username": f"aiko_{os.getpid()}_{next(_ids)}", "password": "correct horse"}
    assert client.post("/auth/register", json=creds).status_code == 201
    response = client.post("/auth/token", json={**creds, **token_args})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_register_conflict_and_bad_login(client: TestClient) -> None:
    creds = {"username": "dup_user", "password": "password1"}
    assert client.post("/auth/register", json=creds).status_code == 201
    assert client.post("/auth/register", json=creds).status_code == 409
    wrong = {"username": "dup_user", "password": "password2"}
    assert client.post("/auth/token", json=wrong).status_code == 401


def test_token_is_required_and_expires(client: TestClient) -> None:
    assert client.get("/notes").status_code == 401
    assert client.get("/notes", headers={"Authorization": "Bearer 123"}).status_code == 401
    headers = sign_in(client, expires_in=1)
    assert client.get("/notes", headers=headers).status_code == 200
    time.sleep(1.5)
    assert client.get("/notes", headers=headers).status_code == 401


def test_crud(client: TestClient) -> None:
    headers = sign_in(client)
    created = client.post("/notes", json={"title": "Ideas", "body": "more tests"}, headers=headers)
    assert created.status_code == 201
    note_id = created.json()["id"]
    replaced = client.put(f"/notes/{note_id}", json={"title": "Ideas v2"}, headers=headers)
    assert replaced.json()["title"] == "Ideas v2" and replaced.json()["body"] == ""
    assert client.delete(f"/notes/{note_id}", headers=headers).status_code == 204
    assert client.get(f"/notes/{note_id}", headers=headers).status_code == 404


def test_notes_are_private(client: TestClient) -> None:
    alice, bob = sign_in(client), sign_in(client)
    note_id = client.post("/notes", json={"title": "alice only"}, headers=alice).json()["id"]
    assert client.get(f"/notes/{note_id}", headers=bob).status_code == 404
    assert client.put(f"/notes/{note_id}", json={"title": "bob"}, headers=bob).status_code == 404
    assert client.delete(f"/notes/{note_id}", headers=bob).status_code == 404
    assert client.get("/notes", headers=bob).json()["items"] == []


def test_pagination(client: TestClient) -> None:
    headers = sign_in(client)
    for i in range(6):
        client.post("/notes", json={"title": str(i)}, headers=headers)
    page = client.get("/notes", params={"limit": 4, "offset": 4}, headers=headers).json()
    assert page["total"] == 6
    assert [n["title"] for n in page["items"]] == ["4", "5"]
    assert client.get("/notes", params={"limit": 0}, headers=headers).status_code == 400


@pytest.mark.parametrize("payload", [{}, {"title": ""}, {"title": 7}, {"title": "x" * 201}, []])
def test_invalid_notes_are_rejected(client: TestClient, payload: object) -> None:
    headers = sign_in(client)
    assert client.post("/notes", json=payload, headers=headers).status_code == 400
