"""The API through Litestar's test client (needs model_store/ from train.py)."""

from __future__ import annotations

from litestar.testing import TestClient

from service.main import app

RECORD = {"customer_id": "C9", "tenure_months": 4, "monthly_charges": 88.0,
          "total_charges": 350.0, "contract": "month-to-month",
          "payment_method": "electronic-check", "support_tickets": 2, "region": "west",
          "has_addon": 0}


def test_scores_a_batch_in_order() -> None:
    with TestClient(app=app) as client:
        loyal = {**RECORD, "contract": "two-year", "tenure_months": 48, "support_tickets": 0}
        response = client.post("/predict", json={"records": [RECORD, loyal]})
        assert response.status_code == 200
        risky, safe = response.json()["predictions"]
        assert risky["probability"] > safe["probability"]


def test_a_missing_field_is_a_400() -> None:
    with TestClient(app=app) as client:
        broken = {k: v for k, v in RECORD.items() if k != "region"}
        assert client.post("/predict", json={"records": [broken]}).status_code == 400
