"""The server against the trained artifact (the grader runs these with model/ present)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from serve.app import app

client = TestClient(app)
RECORD = {"customer_id": "X1", "account_ref": 123456, "tenure_months": 3,
          "monthly_charges": 80.0, "total_charges": None, "contract": "month-to-month",
          "payment_method": "electronic-check", "support_tickets": 4, "region": "south",
          "has_addon": 0}


def test_predict_returns_one_prediction_per_record() -> None:
    response = client.post("/predict", json={"records": [RECORD, {**RECORD,
                                                                    "contract": "two-year"}]})
    assert response.status_code == 200
    first, second = response.json()["predictions"]
    assert 0 <= second["probability"] < first["probability"] <= 1
    assert first["label"] in (0, 1)


def test_unseen_region_still_gets_a_prediction() -> None:
    response = client.post("/predict", json={"records": [{**RECORD, "region": "mars"}]})
    assert response.status_code == 200


def test_bad_requests_get_4xx() -> None:
    missing = {k: v for k, v in RECORD.items() if k != "tenure_months"}
    assert client.post("/predict", json={"records": [missing]}).status_code == 422
    assert client.post("/predict", json={"records": [{**RECORD, "tenure_months": "x"}]}
                       ).status_code == 422
    assert client.post("/predict", content=b"{nope",
                       headers={"content-type": "application/json"}).status_code == 422


def test_metadata_names_version_and_features() -> None:
    body = client.get("/metadata").json()
    assert body["model_version"] and "account_ref" not in body["features"]


def test_a_customer_asked_twice_gets_the_same_answer_with_reasons() -> None:
    first = client.post("/predict", json={"records": [RECORD]}).json()["predictions"][0]
    again = client.post("/predict", json={"records": [RECORD]}).json()["predictions"][0]
    assert first == again and len(first["reasons"]) == 3
