import pytest
from flask.testing import FlaskClient


def make(client: FlaskClient, headers: dict[str, str], title: str = "Plan",
         body: str = "Write tests") -> dict:
    r = client.post("/notes", json={"title": title, "body": body}, headers=headers)
    assert r.status_code == 201, r.json
    return r.json


def test_crud_round_trip(client: FlaskClient, alice: dict[str, str]) -> None:
    note = make(client, alice)
    url = f"/notes/{note['id']}"
    assert client.get(url, headers=alice).json["body"] == "Write tests"
    r = client.put(url, json={"title": "Done", "body": ""}, headers=alice)
    assert r.status_code == 200 and r.json["title"] == "Done"
    assert r.json["updated_at"] >= r.json["created_at"]
    assert client.delete(url, headers=alice).status_code == 204
    assert client.get(url, headers=alice).status_code == 404


def test_notes_need_a_token(client: FlaskClient) -> None:
    assert client.get("/notes").status_code == 401
    assert client.post("/notes", json={"title": "x"}).status_code == 401


def test_notes_are_private(client: FlaskClient, alice: dict[str, str],
                           bob: dict[str, str]) -> None:
    note = make(client, alice, "mine", "secret")
    url = f"/notes/{note['id']}"
    assert client.get(url, headers=bob).status_code == 404
    assert client.put(url, json={"title": "taken"}, headers=bob).status_code == 404
    assert client.delete(url, headers=bob).status_code == 404
    assert client.get("/notes", headers=bob).json["total"] == 0
    assert client.get(url, headers=alice).json["title"] == "mine"


def test_client_cannot_choose_owner_or_id(client: FlaskClient, alice: dict[str, str],
                                          bob: dict[str, str]) -> None:
    mine = make(client, bob, "bob's")
    r = client.post("/notes", json={"title": "x", "id": mine["id"], "owner_id": 2},
                    headers=alice)
    assert r.status_code == 201 and r.json["id"] != mine["id"]
    assert client.get("/notes", headers=bob).json["total"] == 1


def test_pagination(client: FlaskClient, alice: dict[str, str]) -> None:
    ids = [make(client, alice, f"n{i}")["id"] for i in range(7)]
    page = client.get("/notes?limit=3&offset=3", headers=alice).json
    assert [n["id"] for n in page["items"]] == ids[3:6]
    assert (page["total"], page["limit"], page["offset"]) == (7, 3, 3)


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "offset=-1"])
def test_bad_pagination_is_400(client: FlaskClient, alice: dict[str, str], query: str) -> None:
    assert client.get(f"/notes?{query}", headers=alice).status_code == 400


@pytest.mark.parametrize("body", [{}, {"title": ""}, {"title": 3}, {"title": None},
                                  {"title": "t" * 201}, {"title": "x", "body": ["a"]}, []])
def test_invalid_notes_are_400(client: FlaskClient, alice: dict[str, str], body: object) -> None:
    assert client.post("/notes", json=body, headers=alice).status_code == 400


def test_malformed_json_and_huge_bodies(client: FlaskClient, alice: dict[str, str]) -> None:
    r = client.post("/notes", data='{"title": ', content_type="application/json",
                    headers=alice)
    assert r.status_code == 400
    r = client.post("/notes", json={"title": "big", "body": "x" * 2_000_000}, headers=alice)
    assert r.status_code == 413


@pytest.mark.parametrize("note_id", ["abc", "-1", "99999999999999999999999"])
def test_odd_ids_are_404(client: FlaskClient, alice: dict[str, str], note_id: str) -> None:
    assert client.get(f"/notes/{note_id}", headers=alice).status_code == 404
