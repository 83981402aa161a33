from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from notebook.models import AccessToken


def test_register_and_duplicate(client: APIClient) -> None:
    r = client.post("/auth/register", {"username": "marta_1", "password": "hunter2hunter2"},
                    format="json")
    assert r.status_code == 201
    assert r.json()["username"] == "marta_1"
    assert "password" not in r.json()
    r = client.post("/auth/register", {"username": "marta_1", "password": "hunter2hunter2"},
                    format="json")
    assert r.status_code == 409


def test_login_with_bad_password(client: APIClient) -> None:
    client.post("/auth/register", {"username": "marta_2", "password": "hunter2hunter2"},
                format="json")
    r = client.post("/auth/token", {"username": "marta_2", "password": "wrong"}, format="json")
    assert r.status_code == 401


def test_notes_need_a_valid_token(client: APIClient, auth_client) -> None:
    assert client.get("/notes").status_code in (401, 403)
    client.credentials(HTTP_AUTHORIZATION="Bearer nope")
    assert client.get("/notes").status_code in (401, 403)

    alice = auth_client()
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert alice.get("/notes").status_code in (401, 403)


def test_create_read_update_delete(auth_client) -> None:
    api = auth_client()
    note = api.post("/notes", {"title": "Plan", "body": "ship it"}, format="json").json()
    assert note["title"] == "Plan"
    assert api.get(f"/notes/{note['id']}").json()["body"] == "ship it"

    r = api.put(f"/notes/{note['id']}", {"title": "Plan B", "body": ""}, format="json")
    assert r.status_code == 200 and r.json()["title"] == "Plan B"

    api.delete(f"/notes/{note['id']}")
    assert api.get(f"/notes/{note['id']}").status_code == 404


def test_notes_are_private(auth_client) -> None:
    alice, bob = auth_client(), auth_client()
    note = alice.post("/notes", {"title": "secret"}, format="json").json()
    assert bob.get(f"/notes/{note['id']}").status_code == 404
    assert bob.put(f"/notes/{note['id']}", {"title": "x"}, format="json").status_code == 404
    assert bob.delete(f"/notes/{note['id']}").status_code == 404
    assert bob.get("/notes").json()["total"] == 0


def test_pagination_and_bad_params(auth_client) -> None:
    api = auth_client()
    for i in range(7):
        api.post("/notes", {"title": f"n{i}"}, format="json")
    page = api.get("/notes?limit=3&offset=3").json()
    assert page["total"] == 7
    assert [n["title"] for n in page["items"]] == ["n3", "n4", "n5"]
    for query in ("limit=0", "limit=101", "limit=x", "offset=-1"):
        assert api.get(f"/notes?{query}").status_code == 400


def test_validation(auth_client) -> None:
    api = auth_client()
    assert api.post("/notes", {"title": ""}, format="json").status_code == 400
    assert api.post("/notes", {"title": 42}, format="json").status_code == 400
    assert api.post("/notes", {"title": "x" * 201}, format="json").status_code == 400
    assert api.post("/notes", "{oops", content_type="application/json").status_code == 400
