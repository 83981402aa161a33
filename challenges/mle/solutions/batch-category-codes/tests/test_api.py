"""The API against the trained model (run after train.py, with model/ present)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from churn.api import app

RECORD = {"customer_id": "C1", "account_ref": 123456, "tenure_months": 2,
          "monthly_charges": 95.0, "total_charges": 190.0, "contract": "month-to-month",
          "payment_method": "electronic-check", "support_tickets": 3, "region": "south",
          "has_addon": 0}
LOYAL = {**RECORD, "tenure_months": 60, "contract": "two-year", "payment_method": "card",
         "support_tickets": 0, "has_addon": 1, "region": "north"}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(app)


def test_a_risky_customer_scores_above_a_loyal_one(client: TestClient) -> None:
    response = client.post("/predict", json={"records": [RECORD, LOYAL]})
    assert response.status_code == 200
    risky, loyal = response.json()["predictions"]
    assert risky["probability"] > loyal["probability"]


def test_bad_records_are_400(client: TestClient) -> None:
    missing = {k: v for k, v in RECORD.items() if k != "contract"}
    assert client.post("/predict", json={"records": [missing]}).status_code == 400
    assert client.post("/predict", json={"records": [{**RECORD, "tenure_months": "x"}]}
                       ).status_code == 400


def test_metadata(client: TestClient) -> None:
    assert "account_ref" not in client.get("/metadata").json()["features"]
