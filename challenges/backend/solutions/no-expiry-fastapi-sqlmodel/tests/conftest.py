import os
import tempfile
import uuid
from collections.abc import Iterator

import pytest

os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="notes-test-")

from fastapi.testclient import TestClient  # noqa: E402

from notesvc.main import app  # noqa: E402


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def make_user(client: TestClient):
    def _make(name: str | None = None) -> dict[str, str]:
        username = name or f"user_{uuid.uuid4().hex[:10]}"
        r = client.post("/auth/register", json={"username": username, "password": "s3cret-pass"})
        assert r.status_code == 201, r.text
        r = client.post("/auth/token", json={"username": username, "password": "s3cret-pass"})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    return _make
