import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client(tmp_path_factory, monkeypatch_module=None):
    out = tmp_path_factory.mktemp("model")
    subprocess.run([sys.executable, "train.py", "data/train.csv", str(out)], cwd=ROOT,
                   check=True)
    import os
    os.environ["MODEL_PATH"] = str(out)
    from serve.app import app
    return TestClient(app)


def test_predicts_probabilities(client):
    record = {"tenure_months": 3, "monthly_charges": 80.0, "total_charges": 240.0,
              "contract": "month-to-month", "payment_method": "card", "support_tickets": 2,
              "region": "north", "has_addon": 0}
    body = client.post("/predict", json={"records": [record]}).json()
    assert 0 <= body["predictions"][0]["probability"] <= 1
