"""API tests; they need the artifacts written by `python -m training.fit`."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.main import api

ROW = {"tenure_months": 1, "monthly_charges": 99.0, "total_charges": None,
       "contract": "month-to-month", "payment_method": "electronic-check",
       "support_tickets": 6, "region": None, "has_addon": 0}


def test_scores_in_order() -> None:
    with TestClient(api) as client:
        safe = {**ROW, "contract": "two-year", "tenure_months": 70, "support_tickets": 0}
        reply = client.post("/predict", json={"records": [ROW, safe]})
    assert reply.status_code == 200
    first, second = reply.json()["predictions"]
    assert first["probability"] > second["probability"]


def test_validation() -> None:
    with TestClient(api) as client:
        assert client.post("/predict", json={"records": [{"region": "north"}]}
                           ).status_code == 422
        assert client.post("/predict", json={"records": [{**ROW, "region": "atlantis"}]}
                           ).status_code == 200
