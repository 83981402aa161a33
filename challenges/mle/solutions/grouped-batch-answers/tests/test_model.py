"""The scoring module against the trained parameters (run after train.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scoring.model import ChurnModel
from scoring.server import problems

PARAMS = Path(os.environ.get("MODEL_PATH", "params")) / "churn_glm.json"
RECORD = {"tenure_months": 2, "monthly_charges": 90.0, "total_charges": None,
          "contract": "month-to-month", "payment_method": "electronic-check",
          "support_tickets": 4, "region": "south", "has_addon": 0}


@pytest.mark.skipif(not PARAMS.exists(), reason="train first")
def test_a_risky_customer_outscores_a_loyal_one() -> None:
    model = ChurnModel(PARAMS)
    risky, = model.score([RECORD])
    loyal, = model.score([{**RECORD, "tenure_months": 50, "support_tickets": 0,
                           "payment_method": "card", "has_addon": 1}])
    assert 0 <= loyal < risky <= 1


def test_bad_records_are_named() -> None:
    assert problems([{k: v for k, v in RECORD.items() if k != "region"}]) == [
        "records[0].region is missing"]
    assert problems([{**RECORD, "tenure_months": "x"}])
