import os
import tempfile

os.environ.setdefault("DATA_DIR", tempfile.mkdtemp())

from fastapi.testclient import TestClient  # noqa: E402

from app.main import app  # noqa: E402


def _token(client: TestClient, name: str) -> str:
    client.post("/auth/register", json={"username": name, "password": "password123"})
    r = client.post("/auth/token", json={"username": name, "password": "password123"})
    return r.json()["access_token"]


def test_crud_and_ownership() -> None:
    with TestClient(app) as client:
        a = {"Authorization": f"Bearer {_token(client, 'alice')}"}
        b = {"Authorization": f"Bearer {_token(client, 'bob')}"}
        note = client.post("/notes", json={"title": "t", "body": "b"}, headers=a).json()
        assert client.get(f"/notes/{note['id']}", headers=a).status_code == 200
        assert client.get(f"/notes/{note['id']}", headers=b).status_code == 404
        assert client.delete(f"/notes/{note['id']}", headers=a).status_code == 204


def test_requires_token() -> None:
    with TestClient(app) as client:
        assert client.get("/notes").status_code == 401


def test_validation() -> None:
    with TestClient(app) as client:
        a = {"Authorization": f"Bearer {_token(client, 'carol')}"}
        assert client.post("/notes", json={"title": ""}, headers=a).status_code == 422
        assert client.get("/notes?limit=0", headers=a).status_code == 422
