"""The public test: the server starts, loads the model through the app's lifespan (as uvicorn
runs it) and answers /health. Before training there is no model yet, so the test is skipped,
not failed; after `python train.py ...` it must pass. Add your own tests beside it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

MODEL_PATH = Path(os.environ.get("MODEL_PATH", "model"))


def test_health() -> None:
    if not MODEL_PATH.exists():
        pytest.skip(f"no model at {MODEL_PATH} yet: run the train command first")
    from serve.app import app  # imported here: a server may load the model when imported

    with TestClient(app) as client:  # `with` runs the lifespan: start-up, then shutdown
        assert client.get("/health").status_code == 200
