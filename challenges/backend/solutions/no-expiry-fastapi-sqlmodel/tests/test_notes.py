from fastapi.testclient import TestClient


def test_register_rejects_duplicates_and_hides_password(client: TestClient) -> None:
    r = client.post("/auth/register", json={"username": "dupe_me", "password": "password123"})
    assert r.status_code == 201
    assert set(r.json()) == {"id", "username"}
    again = client.post("/auth/register", json={"username": "dupe_me", "password": "password123"})
    assert again.status_code == 409
    bad = client.post("/auth/register", json={"username": "a b", "password": "password123"})
    assert bad.status_code == 422


def test_token_flow(client: TestClient) -> None:
    client.post("/auth/register", json={"username": "tokenuser", "password": "password123"})
    bad = client.post("/auth/token", json={"username": "tokenuser", "password": "nope-nope"})
    assert bad.status_code == 401
    ok = client.post(
        "/auth/token", json={"username": "tokenuser", "password": "password123", "expires_in": 60}
    )
    assert ok.status_code == 200
    assert ok.json()["token_type"] == "bearer"
    assert ok.json()["expires_in"] == 60


def test_notes_need_auth(client: TestClient) -> None:
    assert client.get("/notes").status_code == 401
    assert client.get("/notes", headers={"Authorization": "Bearer made-up"}).status_code == 401


def test_crud_round_trip(client: TestClient, make_user) -> None:
    auth = make_user()
    created = client.post("/notes", json={"title": "Shopping", "body": "milk"}, headers=auth)
    assert created.status_code == 201
    note_id = created.json()["id"]

    updated = client.put(f"/notes/{note_id}", json={"title": "Shop", "body": "eggs"}, headers=auth)
    assert updated.status_code == 200
    assert client.get(f"/notes/{note_id}", headers=auth).json()["body"] == "eggs"

    assert client.delete(f"/notes/{note_id}", headers=auth).status_code == 204
    assert client.get(f"/notes/{note_id}", headers=auth).status_code == 404


def test_other_user_cannot_touch_my_note(client: TestClient, make_user) -> None:
    alice, bob = make_user(), make_user()
    note_id = client.post("/notes", json={"title": "diary"}, headers=alice).json()["id"]
    assert client.get(f"/notes/{note_id}", headers=bob).status_code == 404
    assert client.put(f"/notes/{note_id}", json={"title": "x"}, headers=bob).status_code == 404
    assert client.delete(f"/notes/{note_id}", headers=bob).status_code == 404
    assert client.get("/notes", headers=bob).json()["total"] == 0


def test_pagination(client: TestClient, make_user) -> None:
    auth = make_user()
    for i in range(5):
        client.post("/notes", json={"title": f"n{i}"}, headers=auth)
    page = client.get("/notes?limit=2&offset=4", headers=auth).json()
    assert page["total"] == 5
    assert [n["title"] for n in page["items"]] == ["n4"]
    assert client.get("/notes?limit=0", headers=auth).status_code == 422
    assert client.get("/notes?offset=-1", headers=auth).status_code == 422


def test_validation_errors(client: TestClient, make_user) -> None:
    auth = make_user()
    assert client.post("/notes", json={"title": ""}, headers=auth).status_code == 422
    assert client.post("/notes", json={"title": 5}, headers=auth).status_code == 422
    assert client.post("/notes", json={"body": "no title"}, headers=auth).status_code == 422
    assert client.get("/notes/not-a-number", headers=auth).status_code == 422
