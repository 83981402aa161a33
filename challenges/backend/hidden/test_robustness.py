"""Bad input gets a 4xx with a message, never a 5xx, and the server stays up."""

from __future__ import annotations

import pytest
from conftest import Api, User


def is_client_error(status: int) -> bool:
    return 400 <= status < 500


@pytest.mark.points(2)
@pytest.mark.parametrize("path", ["/auth/register", "/auth/token", "/notes"])
def test_malformed_json_is_4xx(api: Api, user: User, path: str) -> None:
    """A body that is not JSON gives 400/422."""
    r = api.post(path, token=user.token, data=b'{"title": "x", ',
                 headers={"Content-Type": "application/json"})
    assert is_client_error(r.status_code)


@pytest.mark.parametrize("body", [
    {"title": 123, "body": "x"}, {"title": "x", "body": ["not", "a", "string"]},
    {"title": None, "body": "x"}, {"title": "", "body": "x"}, {"title": "x" * 201, "body": "x"},
])
def test_wrong_types_and_bad_values_are_4xx(api: Api, user: User, body: dict) -> None:
    """Wrong types, empty or over-long titles give 400/422."""
    assert is_client_error(api.post("/notes", token=user.token, json=body).status_code)


@pytest.mark.points(2)
@pytest.mark.parametrize("body", [{}, {"body": "no title"}, [], "just a string"])
def test_missing_fields_are_4xx(api: Api, user: User, body: object) -> None:
    """Missing fields or a non-object body give 400/422."""
    assert is_client_error(api.post("/notes", token=user.token, json=body).status_code)


@pytest.mark.parametrize("body", [{}, {"username": "ab", "password": "long enough"},
                                  {"username": "valid_name", "password": "short"},
                                  {"username": 5, "password": "long enough pw"}])
def test_bad_registration_is_4xx(api: Api, user: User, body: dict) -> None:
    """Invalid usernames and passwords are refused with 400/422 (by a working endpoint)."""
    assert is_client_error(api.post("/auth/register", json=body).status_code)


def test_huge_payload_is_4xx(api: Api, user: User) -> None:
    """A 2 MB note is refused with a 4xx (413, 400 or 422), and the server stays up."""
    r = api.post("/notes", token=user.token, json={"title": "big", "body": "x" * 2_000_000})
    assert is_client_error(r.status_code)
    assert api.get("/notes", token=user.token).status_code == 200, "the server went down"


@pytest.mark.parametrize("query", ["limit=-1", "limit=abc", "limit=100000", "offset=-5"])
def test_bad_pagination_is_4xx(api: Api, user: User, query: str) -> None:
    """Out-of-range or non-integer limit/offset give 400/422."""
    assert is_client_error(api.get(f"/notes?{query}", token=user.token).status_code)


@pytest.mark.parametrize("note_id", ["abc", "-1", "1.5", "99999999999999999999999"])
def test_odd_ids_are_4xx(api: Api, user: User, note_id: str) -> None:
    """Odd ids in the path give a 4xx, never a 5xx."""
    assert is_client_error(api.get(f"/notes/{note_id}", token=user.token).status_code)


def test_unicode_round_trips(api: Api, user: User) -> None:
    """Non-ASCII text is stored and returned unchanged."""
    made = api.post("/notes", token=user.token,
                       json={"title": "Café ☕ 日本", "body": "naïve façade 🙂"})
    assert 200 <= made.status_code < 300, f"creating it gave {made.status_code}"
    r = api.get(f"/notes/{made.json()['id']}", token=user.token)
    assert r.json()["title"] == "Café ☕ 日本" and r.json()["body"] == "naïve façade 🙂"
