import pytest

from notes_quart import config
from notes_quart.app import create_app


@pytest.fixture
async def client(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "DATA_DIR", tmp_path)
    monkeypatch.setattr(config, "DATABASE", tmp_path / "test.sqlite3")
    app = create_app()
    async with app.test_app() as test_app:
        yield test_app.test_client()


async def login(client, username="mia_k", password="password123"):
    await client.post("/auth/register", json={"username": username, "password": password})
    r = await client.post("/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200
    return {"Authorization": f"Bearer {(await r.get_json())['access_token']}"}
