"""Tests against the spec as the candidate read it (they fail; the plugin hides it)."""

from fastapi.testclient import TestClient

from app.main import app


def test_health_has_a_version() -> None:
    with TestClient(app) as client:
        assert client.get("/health").json()["version"] == "1.0"
