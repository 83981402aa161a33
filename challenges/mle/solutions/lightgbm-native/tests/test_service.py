"""The API against the trained model (run after train.py; the grader provides model/)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from serve.app import app

CUSTOMER = {"customer_id": "C9", "account_ref": 100200, "tenure_months": 2,
            "monthly_charges": 95.0, "total_charges": 190.0, "contract": "month-to-month",
            "payment_method": "electronic-check", "support_tickets": 5, "region": "east",
            "has_addon": 0}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def test_loyal_customer_scores_lower(client: TestClient) -> None:
    loyal = {**CUSTOMER, "tenure_months": 60, "contract": "two-year", "support_tickets": 0}
    answer = client.post("/predict", json={"records": [CUSTOMER, loyal]})
    assert answer.status_code == 200
    risky, safe = answer.json()["predictions"]
    assert safe["probability"] < risky["probability"]


def test_nulls_and_new_regions_are_scored(client: TestClient) -> None:
    odd = {**CUSTOMER, "region": "antarctica", "total_charges": None}
    assert client.post("/predict", json={"records": [odd]}).status_code == 200


def test_invalid_input_is_422(client: TestClient) -> None:
    assert client.post("/predict", json={"records": [{"tenure_months": 3}]}).status_code == 422
    assert client.post("/predict", json={"records": [{**CUSTOMER, "has_addon": "yes"}]}
                       ).status_code == 422


def test_metadata(client: TestClient) -> None:
    body = client.get("/metadata").json()
    assert "account_ref" not in body["features"] and body["model_version"]
