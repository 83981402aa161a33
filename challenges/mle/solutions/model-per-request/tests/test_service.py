"""The service's validation, and a prediction when the model has been trained."""

from __future__ import annotations

from churnsvc.__main__ import invalid
from churnsvc.model import MODEL_DIR, load_model

RECORD = {"tenure_months": 5, "monthly_charges": 70.0, "total_charges": 350.0,
          "contract": "month-to-month", "payment_method": "card", "support_tickets": 1,
          "region": "east", "has_addon": 1}


def test_validation_names_the_field() -> None:
    assert invalid([RECORD]) is None
    assert invalid([{**RECORD, "tenure_months": "five"}]) == (
        "records[0].tenure_months must be a number")
    assert invalid({"records": []}) == 'expected {"records": [...]}'


def test_the_model_scores_a_record() -> None:
    if not (MODEL_DIR / "forest.skops").exists():
        return
    import pandas as pd

    scores = load_model().predict_proba(pd.DataFrame([RECORD]))[:, 1]
    assert 0 <= scores[0] <= 1
