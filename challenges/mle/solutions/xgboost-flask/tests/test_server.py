"""Server tests against the trained model in model/ (train first)."""

from __future__ import annotations

from churn_api.server import app

BASE = {"tenure_months": 4, "monthly_charges": 88.5, "total_charges": 354.0,
        "contract": "month-to-month", "payment_method": "electronic-check",
        "support_tickets": 3, "region": "west", "has_addon": 0}


def test_predict_shape() -> None:
    client = app.test_client()
    reply = client.post("/predict", json={"records": [BASE, {**BASE, "contract": "two-year"}]})
    assert reply.status_code == 200
    predictions = reply.get_json()["predictions"]
    assert len(predictions) == 2
    assert all(0 <= p["probability"] <= 1 and p["label"] in (0, 1) for p in predictions)


def test_unknown_region_and_nulls() -> None:
    record = {**BASE, "region": "mars", "total_charges": None}
    assert app.test_client().post("/predict", json={"records": [record]}).status_code == 200


def test_rejects_bad_input() -> None:
    client = app.test_client()
    assert client.post("/predict", json={"records": [{"region": "west"}]}).status_code == 400
    assert client.post("/predict", json={"records": [{**BASE, "tenure_months": "ten"}]}
                       ).status_code == 400
    assert client.post("/predict", data="tenure=1").status_code == 400
