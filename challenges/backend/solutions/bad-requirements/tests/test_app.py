import pytest
from flask.testing import FlaskClient

from app import create_app


@pytest.fixture
def client(tmp_path) -> FlaskClient:  # type: ignore[no-untyped-def]
    return create_app(str(tmp_path)).test_client()


def token(client: FlaskClient, name: str) -> dict[str, str]:
    client.post("/auth/register", json={"username": name, "password": "password123"})
    r = client.post("/auth/token", json={"username": name, "password": "password123"})
    return {"Authorization": f"Bearer {r.get_json()['access_token']}"}


def test_crud_and_ownership(client: FlaskClient) -> None:
    a, b = token(client, "alice"), token(client, "bob")
    note = client.post("/notes", json={"title": "t", "body": "b"}, headers=a).get_json()
    assert client.get(f"/notes/{note['id']}", headers=a).status_code == 200
    assert client.get(f"/notes/{note['id']}", headers=b).status_code == 404
    assert client.delete(f"/notes/{note['id']}", headers=a).status_code == 204


def test_validation_and_auth(client: FlaskClient) -> None:
    assert client.get("/notes").status_code == 401
    a = token(client, "carol")
    assert client.post("/notes", json={"title": ""}, headers=a).status_code == 422
    assert client.post("/notes", data="{bad", headers=a,
                       content_type="application/json").status_code == 400
    assert client.get("/notes?limit=0", headers=a).status_code == 422
