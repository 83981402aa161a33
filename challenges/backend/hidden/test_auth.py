"""Authentication (tokens) and authorization (ownership)."""

from __future__ import annotations

import time

import pytest
from conftest import Api, User, refused


@pytest.mark.points(3)
def test_notes_require_a_token(api: Api) -> None:
    """Without Authorization, /notes endpoints answer 401."""
    assert api.get("/notes").status_code == 401
    assert api.post("/notes", json={"title": "x", "body": "y"}).status_code == 401
    assert api.get("/notes/1").status_code in (401, 404)


@pytest.mark.parametrize("header", ["Bearer not-a-real-token", "Bearer ", "Basic dXNlcjpwdw==",
                                    "garbage"])
def test_malformed_tokens_are_401(api: Api, header: str) -> None:
    """A malformed or unknown token gives 401."""
    assert refused(api.get("/notes", headers={"Authorization": header}).status_code)


def test_wrong_password_is_401(api: Api, user: User) -> None:
    """POST /auth/token with a wrong password gives 401."""
    r = api.post("/auth/token", json={"username": user.username, "password": "wrong password"})
    assert r.status_code == 401


def test_unknown_user_is_401(api: Api) -> None:
    """POST /auth/token for a user that does not exist gives 401."""
    r = api.post("/auth/token", json={"username": "nobody_here_x", "password": "whatever12"})
    assert r.status_code == 401


def test_expired_token_is_401(api: Api, user: User) -> None:
    """A token asked for with expires_in=1 is refused two seconds later."""
    token = user.login(expires_in=1)
    assert api.get("/notes", token=token).status_code == 200
    time.sleep(2.2)
    assert refused(api.get("/notes", token=token).status_code), "the expired token still works"


@pytest.mark.points(6)
def test_other_users_note_cannot_be_read(api: Api, user: User, other_user: User) -> None:
    """User B gets 404 (or 403) for user A's note."""
    note = user.create_note("private", "secret")
    r = api.get(f"/notes/{note['id']}", token=other_user.token)
    assert r.status_code in (403, 404)
    assert "secret" not in r.text


@pytest.mark.points(6)
def test_other_users_note_cannot_be_changed(api: Api, user: User, other_user: User) -> None:
    """User B cannot update user A's note; it stays as it was."""
    note = user.create_note("mine", "keep")
    assert api.put(f"/notes/{note['id']}", token=other_user.token,
                   json={"title": "hacked", "body": "x"}).status_code in (403, 404)
    r = api.get(f"/notes/{note['id']}", token=user.token)
    assert r.status_code == 200 and r.json()["title"] == "mine", "the note was changed"


@pytest.mark.points(6)
def test_other_users_note_cannot_be_deleted(api: Api, user: User, other_user: User) -> None:
    """User B cannot delete user A's note; it is still there."""
    note = user.create_note("mine too", "keep")
    assert api.delete(f"/notes/{note['id']}", token=other_user.token).status_code in (403, 404)
    r = api.get(f"/notes/{note['id']}", token=user.token)
    assert r.status_code == 200, "the note was deleted"


@pytest.mark.points(2)
def test_lists_are_per_user(api: Api, user: User, fresh_user: User) -> None:
    """Each user's list holds only their own notes."""
    other_user = fresh_user
    user.create_note("a-only", "x")
    other_user.create_note("b-only", "y")
    titles = [n["title"] for n in api.get("/notes", token=other_user.token).json()["items"]]
    assert titles == ["b-only"]

