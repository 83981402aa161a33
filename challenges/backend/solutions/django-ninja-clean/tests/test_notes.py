import pytest
from django.test import Client

from tests.conftest import auth

pytestmark = pytest.mark.django_db


def create(client: Client, token: str, title: str = "Plan", body: str = "Write tests") -> dict:
    r = client.post("/notes", {"title": title, "body": body}, content_type="application/json",
                    **auth(token))
    assert r.status_code == 201, r.content
    return r.json()


def test_create_read_update_delete(client: Client, alice: str) -> None:
    note = create(client, alice)
    assert client.get(f"/notes/{note['id']}", **auth(alice)).json()["title"] == "Plan"
    r = client.put(f"/notes/{note['id']}", {"title": "New", "body": "text"},
                   content_type="application/json", **auth(alice))
    assert r.status_code == 200 and r.json()["title"] == "New"
    assert client.delete(f"/notes/{note['id']}", **auth(alice)).status_code == 204
    assert client.get(f"/notes/{note['id']}", **auth(alice)).status_code == 404


def test_other_users_cannot_touch_my_notes(client: Client, alice: str, bob: str) -> None:
    note = create(client, alice, "mine", "secret")
    assert client.get(f"/notes/{note['id']}", **auth(bob)).status_code == 404
    r = client.put(f"/notes/{note['id']}", {"title": "hacked"},
                   content_type="application/json", **auth(bob))
    assert r.status_code == 404
    assert client.delete(f"/notes/{note['id']}", **auth(bob)).status_code == 404
    assert client.get(f"/notes/{note['id']}", **auth(alice)).json()["title"] == "mine"
    assert client.get("/notes", **auth(bob)).json()["total"] == 0


def test_owner_and_id_in_the_body_are_ignored(client: Client, alice: str, bob: str) -> None:
    r = client.post("/notes", {"title": "t", "owner_id": 999, "id": 1234},
                    content_type="application/json", **auth(alice))
    assert r.status_code == 201 and r.json()["id"] != 1234
    assert client.get("/notes", **auth(alice)).json()["total"] == 1


def test_pagination_is_oldest_first(client: Client, alice: str) -> None:
    ids = [create(client, alice, f"n{i}")["id"] for i in range(5)]
    page = client.get("/notes?limit=2&offset=2", **auth(alice)).json()
    assert [n["id"] for n in page["items"]] == ids[2:4]
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 2)


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=abc", "offset=-1"])
def test_bad_pagination_is_422(client: Client, alice: str, query: str) -> None:
    assert client.get(f"/notes?{query}", **auth(alice)).status_code == 422


@pytest.mark.parametrize("body", [{}, {"title": ""}, {"title": 5}, {"title": "x" * 201},
                                  [], "\"just a string\""])
def test_invalid_notes_are_refused(client: Client, alice: str, body: object) -> None:
    r = client.post("/notes", body, content_type="application/json", **auth(alice))
    assert r.status_code == 422


def test_malformed_json_is_400(client: Client, alice: str) -> None:
    r = client.post("/notes", '{"title": ', content_type="application/json", **auth(alice))
    assert r.status_code == 400


@pytest.mark.parametrize("note_id", ["abc", "0", "-1", "99999999999999999999999"])
def test_odd_ids_are_client_errors(client: Client, alice: str, note_id: str) -> None:
    assert 400 <= client.get(f"/notes/{note_id}", **auth(alice)).status_code < 500
