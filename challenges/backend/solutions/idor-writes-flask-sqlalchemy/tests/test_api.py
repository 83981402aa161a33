import time


def test_health(client):
    assert client.get("/health").get_json() == {"status": "ok"}


def test_register_validation_and_conflict(client):
    assert client.post("/auth/register",
                       json={"username": "no spaces!", "password": "pass-word-123"}).status_code == 422
    assert client.post("/auth/register",
                       json={"username": "maria", "password": "short"}).status_code == 422
    assert client.post("/auth/register",
                       json={"username": "maria", "password": "pass-word-123"}).status_code == 201
    assert client.post("/auth/register",
                       json={"username": "maria", "password": "pass-word-123"}).status_code == 409


def test_token_expires(client, login):
    headers = login("shortlived", expires_in=1)
    assert client.get("/notes", headers=headers).status_code == 200
    time.sleep(1.5)
    assert client.get("/notes", headers=headers).status_code == 401


def test_create_update_delete(client, login):
    h = login("writer")
    note = client.post("/notes", json={"title": "draft", "body": "v1"}, headers=h).get_json()
    updated = client.put(f"/notes/{note['id']}", json={"title": "final", "body": "v2"}, headers=h)
    assert updated.status_code == 200
    assert updated.get_json()["title"] == "final"
    assert client.delete(f"/notes/{note['id']}", headers=h).status_code == 204
    assert client.get(f"/notes/{note['id']}", headers=h).status_code == 404


def test_notes_are_private(client, login):
    alice, bob = login("alice"), login("bob")
    note = client.post("/notes", json={"title": "diary"}, headers=alice).get_json()
    assert client.get(f"/notes/{note['id']}", headers=bob).status_code == 404
    assert client.get("/notes", headers=bob).get_json()["items"] == []
    assert client.get("/notes", headers=alice).get_json()["total"] == 1


def test_pagination_bounds(client, login):
    h = login("pager")
    for i in range(3):
        client.post("/notes", json={"title": f"#{i}"}, headers=h)
    page = client.get("/notes?limit=2&offset=1", headers=h).get_json()
    assert [n["title"] for n in page["items"]] == ["#1", "#2"]
    assert client.get("/notes?limit=101", headers=h).status_code == 422
    assert client.get("/notes?offset=-1", headers=h).status_code == 422
