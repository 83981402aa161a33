from notes_service.models import User
from tests.conftest import AUTH, make_note


async def test_health(client) -> None:
    resp = await client.get("/health")
    assert resp.status == 200


async def test_create_note(client, repo) -> None:
    repo.create_note.return_value = make_note()
    resp = await client.post("/notes", json={"title": "Plan", "body": "Write tests"},
                             headers=AUTH)
    assert resp.status == 201
    assert (await resp.json())["title"] == "Plan"
    repo.create_note.assert_awaited_once_with(1, "Plan", "Write tests")


async def test_create_note_ignores_owner_in_body(client, repo) -> None:
    repo.create_note.return_value = make_note()
    await client.post("/notes", json={"title": "Plan", "owner_id": 99}, headers=AUTH)
    repo.create_note.assert_awaited_once_with(1, "Plan", "")


async def test_list_notes_paginates(client, repo) -> None:
    repo.list_notes.return_value = [make_note(3), make_note(4)]
    repo.count_notes.return_value = 7
    resp = await client.get("/notes?limit=2&offset=2", headers=AUTH)
    body = await resp.json()
    assert resp.status == 200
    assert [n["id"] for n in body["items"]] == [3, 4]
    assert (body["total"], body["limit"], body["offset"]) == (7, 2, 2)
    repo.list_notes.assert_awaited_once_with(1, 2, 2)


async def test_bad_pagination(client, repo) -> None:
    for query in ("limit=0", "limit=500", "limit=abc", "offset=-1"):
        resp = await client.get(f"/notes?{query}", headers=AUTH)
        assert resp.status == 422, query
    repo.list_notes.assert_not_awaited()


async def test_get_note(client, repo) -> None:
    repo.get_note.return_value = make_note(5)
    resp = await client.get("/notes/5", headers=AUTH)
    assert resp.status == 200
    repo.get_note.assert_awaited_once_with(1, 5)


async def test_get_missing_note_is_404(client, repo) -> None:
    repo.get_note.return_value = None
    resp = await client.get("/notes/5", headers=AUTH)
    assert resp.status == 404


async def test_update_note(client, repo) -> None:
    repo.update_note.return_value = make_note(5, "New")
    resp = await client.put("/notes/5", json={"title": "New", "body": ""}, headers=AUTH)
    assert resp.status == 200
    repo.update_note.assert_awaited_once_with(1, 5, "New", "")


async def test_update_someone_elses_note_is_404(client, repo) -> None:
    repo.update_note.return_value = None
    resp = await client.put("/notes/5", json={"title": "New"}, headers=AUTH)
    assert resp.status == 404


async def test_delete_note(client, repo) -> None:
    repo.delete_note.return_value = True
    resp = await client.delete("/notes/5", headers=AUTH)
    assert resp.status == 204


async def test_delete_missing_note(client, repo) -> None:
    repo.delete_note.return_value = False
    resp = await client.delete("/notes/5", headers=AUTH)
    assert resp.status == 404


async def test_invalid_notes_are_rejected(client, repo) -> None:
    for body in ({}, {"title": ""}, {"title": 5}, {"title": "x" * 201}, [], "text"):
        resp = await client.post("/notes", json=body, headers=AUTH)
        assert resp.status in (400, 422), body
    repo.create_note.assert_not_awaited()


async def test_malformed_json(client) -> None:
    resp = await client.post("/notes", data=b'{"title": ', headers=AUTH)
    assert resp.status == 400


async def test_huge_id_is_404(client, repo) -> None:
    resp = await client.get("/notes/99999999999999999999999", headers=AUTH)
    assert resp.status == 404
    repo.get_note.assert_not_awaited()


async def test_user_comes_from_the_token(client, repo, signed_in: User) -> None:
    repo.list_notes.return_value = []
    repo.count_notes.return_value = 0
    await client.get("/notes", headers=AUTH)
    repo.count_notes.assert_awaited_once_with(signed_in.id)
