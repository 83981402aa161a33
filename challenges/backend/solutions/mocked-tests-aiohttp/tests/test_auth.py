from unittest.mock import AsyncMock, patch

from notes_service.models import User
from notes_service.repository import UsernameTaken


async def test_register(client, repo) -> None:
    repo.create_user.return_value = User(2, "bob_1")
    resp = await client.post("/auth/register", json={"username": "bob_1",
                                                     "password": "long enough"})
    assert resp.status == 201
    assert await resp.json() == {"id": 2, "username": "bob_1"}
    stored_hash = repo.create_user.call_args.args[1]
    assert stored_hash.startswith("$2b$") and "long enough" not in stored_hash


async def test_register_duplicate(client, repo) -> None:
    repo.create_user.side_effect = UsernameTaken("bob_1")
    resp = await client.post("/auth/register", json={"username": "bob_1",
                                                     "password": "long enough"})
    assert resp.status == 409


async def test_register_validation(client, repo) -> None:
    for body in ({}, {"username": "ab", "password": "long enough"},
                 {"username": "fine_name", "password": "short"}):
        resp = await client.post("/auth/register", json=body)
        assert resp.status == 422, body
    repo.create_user.assert_not_awaited()


async def test_login_wrong_password(client, repo) -> None:
    repo.password_hash.return_value = (User(1, "alice"), "$2b$12$" + "x" * 53)
    with patch("notes_service.auth.check_password", AsyncMock(return_value=False)):
        resp = await client.post("/auth/token", json={"username": "alice",
                                                      "password": "wrong one"})
    assert resp.status == 401


async def test_login_unknown_user(client, repo) -> None:
    repo.password_hash.return_value = None
    resp = await client.post("/auth/token", json={"username": "nobody", "password": "x" * 10})
    assert resp.status == 401


async def test_login_issues_token(client, repo) -> None:
    repo.password_hash.return_value = (User(1, "alice"), "hash")
    with patch("notes_service.auth.check_password", AsyncMock(return_value=True)):
        resp = await client.post("/auth/token", json={"username": "alice",
                                                      "password": "long enough",
                                                      "expires_in": 60})
    body = await resp.json()
    assert resp.status == 200 and body["expires_in"] == 60
    repo.save_token.assert_awaited_once()


async def test_missing_token_is_401(aiohttp_client, repo) -> None:
    from notes_service.app import create_app

    client = await aiohttp_client(create_app(repository=repo))
    resp = await client.get("/notes")
    assert resp.status == 401
