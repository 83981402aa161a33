import asyncio

from tests.conftest import login


async def test_register_and_duplicate(client):
    r = await client.post("/auth/register", json={"username": "mia_k", "password": "password123"})
    assert r.status_code == 201
    r = await client.post("/auth/register", json={"username": "mia_k", "password": "password123"})
    assert r.status_code == 409


async def test_bad_login(client):
    await login(client)
    r = await client.post("/auth/token", json={"username": "mia_k", "password": "nope nope"})
    assert r.status_code == 401


async def test_note_lifecycle(client):
    headers = await login(client)
    r = await client.post("/notes", json={"title": "t", "body": "b"}, headers=headers)
    assert r.status_code == 201
    note = await r.get_json()
    r = await client.put(f"/notes/{note['id']}", json={"title": "t2"}, headers=headers)
    assert (await r.get_json())["title"] == "t2"
    assert (await client.delete(f"/notes/{note['id']}", headers=headers)).status_code == 204
    assert (await client.get(f"/notes/{note['id']}", headers=headers)).status_code == 404


async def test_ownership(client):
    mia = await login(client)
    leo = await login(client, "leo_p")
    note = await (await client.post("/notes", json={"title": "mine"}, headers=mia)).get_json()
    assert (await client.get(f"/notes/{note['id']}", headers=leo)).status_code == 404
    assert (await client.delete(f"/notes/{note['id']}", headers=leo)).status_code == 404


async def test_expired_token(client):
    await login(client)
    r = await client.post("/auth/token", json={"username": "mia_k", "password": "password123",
                                               "expires_in": 1})
    token = (await r.get_json())["access_token"]
    await asyncio.sleep(1.5)
    r = await client.get("/notes", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


async def test_validation(client):
    headers = await login(client)
    for body in ({}, {"title": ""}, {"title": 7}, {"title": "x" * 201}):
        assert (await client.post("/notes", json=body, headers=headers)).status_code == 422
    assert (await client.get("/notes?limit=0", headers=headers)).status_code == 422
