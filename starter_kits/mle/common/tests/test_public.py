"""The public test: the server starts and answers /health. Add your own tests beside it."""

from fastapi.testclient import TestClient

from serve.app import app


def test_health() -> None:
    assert TestClient(app).get("/health").status_code == 200
