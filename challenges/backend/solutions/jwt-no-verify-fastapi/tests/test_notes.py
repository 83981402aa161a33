import time


def test_register_twice_conflicts(client):
    r = client.post("/auth/register", json={"username": "dup_user", "password": "password1"})
    assert r.status_code == 201
    assert "password" not in r.text
    r = client.post("/auth/register", json={"username": "dup_user", "password": "password1"})
    assert r.status_code == 409


def test_login_wrong_password(client, make_user):
    make_user("wrongpw")
    r = client.post("/auth/token", json={"username": "nobody_xyz", "password": "password1"})
    assert r.status_code == 401


def test_notes_need_auth(client):
    assert client.get("/notes").status_code == 401
    assert client.get("/notes", headers={"Authorization": "Bearer garbage"}).status_code == 401


def test_expired_token_rejected(client, make_user):
    headers = make_user("short", expires_in=1)
    assert client.get("/notes", headers=headers).status_code == 200
    time.sleep(2.1)
    assert client.get("/notes", headers=headers).status_code == 401


def test_crud_roundtrip(client, make_user):
    h = make_user("crud")
    note = client.post("/notes", json={"title": "Todo", "body": "buy milk"}, headers=h).json()
    assert client.get(f"/notes/{note['id']}", headers=h).json()["body"] == "buy milk"
    r = client.put(f"/notes/{note['id']}", json={"title": "Todo", "body": "done"}, headers=h)
    assert r.status_code == 200 and r.json()["body"] == "done"
    assert client.delete(f"/notes/{note['id']}", headers=h).status_code == 204
    assert client.get(f"/notes/{note['id']}", headers=h).status_code == 404


def test_users_only_see_their_notes(client, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    note = client.post("/notes", json={"title": "alice's"}, headers=alice).json()
    assert client.get(f"/notes/{note['id']}", headers=bob).status_code == 404
    assert client.put(f"/notes/{note['id']}", json={"title": "x"}, headers=bob).status_code == 404
    assert client.get("/notes", headers=bob).json()["total"] == 0


def test_pagination_and_validation(client, make_user):
    h = make_user("pages")
    for i in range(7):
        client.post("/notes", json={"title": f"note {i}"}, headers=h)
    page = client.get("/notes?limit=5&offset=5", headers=h).json()
    assert page["total"] == 7 and len(page["items"]) == 2
    assert client.get("/notes?limit=0", headers=h).status_code == 422
    assert client.post("/notes", json={"title": ""}, headers=h).status_code == 422
