import pytest
from django.test import Client


@pytest.fixture
def client() -> Client:
    return Client()


def register_and_login(client: Client, username: str, password: str = "long enough pw",
                       **extra: object) -> str:
    r = client.post("/auth/register", {"username": username, "password": password},
                    content_type="application/json")
    assert r.status_code == 201, r.content
    r = client.post("/auth/token", {"username": username, "password": password, **extra},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    return r.json()["access_token"]


@pytest.fixture
def alice(client: Client) -> str:
    return register_and_login(client, "alice")


@pytest.fixture
def bob(client: Client) -> str:
    return register_and_login(client, "bob")


def auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
