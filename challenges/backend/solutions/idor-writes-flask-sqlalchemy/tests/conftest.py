import pytest

from notesapp import create_app


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    app = create_app({"TESTING": True})
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(client):
    def _login(username: str, password: str = "pass-word-123", **extra) -> dict:
        client.post("/auth/register", json={"username": username, "password": password})
        resp = client.post("/auth/token",
                           json={"username": username, "password": password, **extra})
        assert resp.status_code == 200, resp.get_json()
        return {"Authorization": f"Bearer {resp.get_json()['access_token']}"}

    return _login
