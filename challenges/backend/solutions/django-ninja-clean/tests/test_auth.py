from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from notes.models import AccessToken
from tests.conftest import auth, register_and_login

pytestmark = pytest.mark.django_db


def test_health_needs_no_token(client: Client) -> None:
    assert client.get("/health").status_code == 200


def test_register_returns_the_user_without_the_password(client: Client) -> None:
    r = client.post("/auth/register", {"username": "carol_1", "password": "long enough"},
                    content_type="application/json")
    assert r.status_code == 201
    assert r.json()["username"] == "carol_1"
    assert "password" not in r.json()


def test_duplicate_username_is_409(client: Client, alice: str) -> None:
    r = client.post("/auth/register", {"username": "alice", "password": "another one"},
                    content_type="application/json")
    assert r.status_code == 409


@pytest.mark.parametrize("body", [{"username": "ab", "password": "long enough"},
                                  {"username": "fine_name", "password": "short"},
                                  {"username": 5, "password": "long enough"}, {}])
def test_invalid_registrations_are_422(client: Client, body: dict) -> None:
    r = client.post("/auth/register", body, content_type="application/json")
    assert r.status_code == 422


def test_password_is_stored_hashed(client: Client, alice: str) -> None:
    from django.contrib.auth.models import User

    stored = User.objects.get(username="alice").password
    assert stored.startswith("scrypt$")
    assert "long enough pw" not in stored


def test_wrong_password_and_unknown_user_look_alike(client: Client, alice: str) -> None:
    wrong = client.post("/auth/token", {"username": "alice", "password": "not it at all"},
                        content_type="application/json")
    unknown = client.post("/auth/token", {"username": "nobody", "password": "not it at all"},
                          content_type="application/json")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_tokens_are_stored_as_digests(client: Client, alice: str) -> None:
    assert not AccessToken.objects.filter(digest=alice).exists()
    assert AccessToken.objects.count() == 1


def test_expired_token_is_refused(client: Client) -> None:
    token = register_and_login(client, "dave", expires_in=60)
    assert client.get("/notes", **auth(token)).status_code == 200
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/notes", **auth(token)).status_code == 401


@pytest.mark.parametrize("header", ["", "Bearer ", "Bearer nope", "Basic dXNlcjpwdw=="])
def test_bad_tokens_are_401(client: Client, header: str) -> None:
    assert client.get("/notes", HTTP_AUTHORIZATION=header).status_code == 401


def test_expires_in_out_of_range_is_422(client: Client, alice: str) -> None:
    r = client.post("/auth/token", {"username": "alice", "password": "long enough pw",
                                    "expires_in": 0}, content_type="application/json")
    assert r.status_code == 422
