"""The API with the trained weights (run train.py first)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.api import app

C = {"tenure_months": 5, "monthly_charges": 80.0, "total_charges": None,
     "contract": "month-to-month", "payment_method": "card", "support_tickets": 2,
     "region": "north", "has_addon": 1}


def test_predict() -> None:
    with TestClient(app) as client:
        reply = client.post("/predict", json={"records": [C, {**C, "region": "nowhere"}]})
    assert reply.status_code == 200 and len(reply.json()["predictions"]) == 2


def test_empty_and_invalid() -> None:
    with TestClient(app) as client:
        assert client.post("/predict", json={"records": []}).json() == {"predictions": []}
        assert client.post("/predict", json={"records": [{"region": "x"}]}).status_code == 422
