import os
import tempfile

os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="notes-test-")

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from notes.main import app  # noqa: E402


@pytest.fixture(scope="session")
def client():
    with TestClient(app) as c:
        yield c


@pytest.fixture
def make_user(client):
    counter = iter(range(10_000))

    def _make(prefix: str = "user", expires_in: int | None = None) -> dict[str, str]:
        name = f"{prefix}_{os.getpid()}_{next(counter)}"
        r = client.post("/auth/register", json={"username": name, "password": "s3cret-pass"})
        assert r.status_code == 201, r.text
        body = {"username": name, "password": "s3cret-pass"}
        if expires_in is not None:
            body["expires_in"] = expires_in
        r = client.post("/auth/token", json=body)
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    return _make
