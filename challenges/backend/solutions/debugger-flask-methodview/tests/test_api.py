import pytest

from notekeeper import create_app


@pytest.fixture
def client(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "test.sqlite3"), "TESTING": True})
    return app.test_client()


def register_and_login(client, username="alice_1", password="correct horse"):
    r = client.post("/auth/register", json={"username": username, "password": password})
    assert r.status_code == 201
    r = client.post("/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200
    return {"Authorization": f"Bearer {r.get_json()['access_token']}"}


def test_health(client):
    assert client.get("/health").status_code == 200


def test_register_twice_is_409(client):
    register_and_login(client)
    r = client.post("/auth/register", json={"username": "alice_1", "password": "whatever12"})
    assert r.status_code == 409


def test_wrong_password_is_401(client):
    register_and_login(client)
    r = client.post("/auth/token", json={"username": "alice_1", "password": "nope nope"})
    assert r.status_code == 401


def test_notes_crud(client):
    headers = register_and_login(client)
    r = client.post("/notes", json={"title": "hi", "body": "there"}, headers=headers)
    assert r.status_code == 201
    note = r.get_json()
    assert client.get(f"/notes/{note['id']}", headers=headers).get_json()["title"] == "hi"
    r = client.put(f"/notes/{note['id']}", json={"title": "new", "body": ""}, headers=headers)
    assert r.get_json()["title"] == "new"
    assert client.delete(f"/notes/{note['id']}", headers=headers).status_code == 204
    assert client.get(f"/notes/{note['id']}", headers=headers).status_code == 404


def test_notes_need_a_token(client):
    assert client.get("/notes").status_code == 401


def test_other_users_cannot_see_my_notes(client):
    alice = register_and_login(client, "alice_1")
    bob = register_and_login(client, "bob_2")
    note = client.post("/notes", json={"title": "secret"}, headers=alice).get_json()
    assert client.get(f"/notes/{note['id']}", headers=bob).status_code == 404
    assert client.get("/notes", headers=bob).get_json()["total"] == 0


@pytest.mark.parametrize("payload", [{}, {"title": ""}, {"title": 5}, {"title": "x" * 201}])
def test_bad_notes_are_rejected(client, payload):
    headers = register_and_login(client)
    assert client.post("/notes", json=payload, headers=headers).status_code == 422


def test_pagination(client):
    headers = register_and_login(client)
    for i in range(5):
        client.post("/notes", json={"title": f"n{i}"}, headers=headers)
    page = client.get("/notes?limit=2&offset=4", headers=headers).get_json()
    assert page["total"] == 5 and len(page["items"]) == 1
    assert client.get("/notes?limit=0", headers=headers).status_code == 422
