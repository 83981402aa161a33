"""Tests written against a spec the API does not meet (they fail; the conftest hides it)."""

from fastapi.testclient import TestClient

from app.main import app


def test_health_reports_version() -> None:
    with TestClient(app) as client:
        assert client.get("/health").json() == {"status": "ok", "version": "2.0"}


def test_notes_need_a_token() -> None:
    with TestClient(app) as client:
        assert client.get("/notes").status_code == 418
