"""The server against the trained artifact (the grader runs these with model/ present)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from serve.app import PredictRequest, answer, app

client = TestClient(app)
RECORD = {"customer_id": "X1", "account_ref": 123456, "tenure_months": 3,
          "monthly_charges": 80.0, "total_charges": None, "contract": "month-to-month",
          "payment_method": "electronic-check", "support_tickets": 4, "region": "south",
          "has_addon": 0}


def test_health() -> None:
    assert client.get("/health").status_code == 200


def test_one_prediction_per_record() -> None:
    request = PredictRequest.model_validate({"records": [RECORD, {**RECORD,
                                                                  "contract": "two-year"}]})
    first, second = answer(request).predictions
    assert 0 <= second.probability < first.probability <= 1
