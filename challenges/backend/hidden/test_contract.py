"""The API contract: every endpoint's happy path, 404s and pagination."""

from __future__ import annotations

from conftest import Api, User


def test_health(api: Api) -> None:
    """GET /health answers 200."""
    assert api.get("/health").status_code == 200


def test_register(api: Api) -> None:
    """POST /auth/register creates a user: 201 with id and username, no password."""
    r = api.post("/auth/register", json={"username": "reg_user_1a", "password": "long enough pw"})
    assert r.status_code == 201
    body = r.json()
    assert body.get("username") == "reg_user_1a"
    assert "id" in body
    assert "password" not in body and "password_hash" not in body


def test_register_duplicate_is_409(api: Api, user: User) -> None:
    """Registering a taken username gives 409."""
    r = api.post("/auth/register", json={"username": user.username, "password": "another pw 1"})
    assert r.status_code == 409


def test_token(api: Api, user: User) -> None:
    """POST /auth/token returns a bearer access_token."""
    r = api.post("/auth/token", json={"username": user.username, "password": user.password})
    assert r.status_code == 200
    body = r.json()
    assert isinstance(body.get("access_token"), str) and body["access_token"]
    assert body.get("token_type", "").lower() == "bearer"


def test_create_note(api: Api, user: User) -> None:
    """POST /notes returns 201 with the note and its server-set fields."""
    r = api.post("/notes", token=user.token, json={"title": "Plan", "body": "Write tests"})
    assert r.status_code == 201
    note = r.json()
    assert note["title"] == "Plan" and note["body"] == "Write tests"
    for key in ("id", "created_at", "updated_at"):
        assert key in note, f"missing {key}"


def test_get_note(api: Api, user: User) -> None:
    """GET /notes/{id} returns the note."""
    note = user.create_note("Read", "a book")
    r = api.get(f"/notes/{note['id']}", token=user.token)
    assert r.status_code == 200
    assert r.json()["title"] == "Read" and r.json()["id"] == note["id"]


def test_update_note(api: Api, user: User) -> None:
    """PUT /notes/{id} replaces title and body; a later GET sees the change."""
    note = user.create_note("Old", "old body")
    r = api.put(f"/notes/{note['id']}", token=user.token, json={"title": "New", "body": "new"})
    assert r.status_code == 200
    assert r.json()["title"] == "New"
    again = api.get(f"/notes/{note['id']}", token=user.token).json()
    assert again["title"] == "New" and again["body"] == "new"
    assert again["updated_at"] >= again["created_at"]


def test_delete_note(api: Api, user: User) -> None:
    """DELETE /notes/{id} gives 204, then the note is gone (404)."""
    note = user.create_note()
    assert api.delete(f"/notes/{note['id']}", token=user.token).status_code == 204
    assert api.get(f"/notes/{note['id']}", token=user.token).status_code == 404


def test_missing_note_is_404(api: Api, user: User) -> None:
    """GET, PUT and DELETE of a note that does not exist give 404."""
    assert api.get("/notes/987654321", token=user.token).status_code == 404
    assert api.put("/notes/987654321", token=user.token,
                   json={"title": "x", "body": "y"}).status_code == 404
    assert api.delete("/notes/987654321", token=user.token).status_code == 404


def test_list_notes(api: Api, fresh_user: User) -> None:
    """GET /notes lists the user's notes with items, total, limit and offset."""
    user = fresh_user
    created = [user.create_note(f"n{i}", "b") for i in range(3)]
    r = api.get("/notes", token=user.token)
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 3
    assert sorted(n["id"] for n in body["items"]) == sorted(n["id"] for n in created)
    assert "limit" in body and "offset" in body


def test_pagination(api: Api, fresh_user: User) -> None:
    """limit/offset page through 25 notes without gaps or repeats."""
    user = fresh_user
    ids = {user.create_note(f"p{i}", "b")["id"] for i in range(25)}
    seen: list[object] = []
    for offset in (0, 10, 20):
        r = api.get(f"/notes?limit=10&offset={offset}", token=user.token)
        assert r.status_code == 200
        body = r.json()
        assert body["total"] == 25
        assert len(body["items"]) == (10 if offset < 20 else 5)
        seen += [n["id"] for n in body["items"]]
    assert len(seen) == 25 and set(seen) == ids
