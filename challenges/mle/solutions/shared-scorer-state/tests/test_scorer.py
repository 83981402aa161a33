"""The scorer against the exported weights (run after fit_model.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.scorer import ChurnScorer

FOLDER = Path(os.environ.get("MODEL_PATH", "artifacts"))
RECORD = {"tenure_months": 3, "monthly_charges": 99.0, "total_charges": 300.0,
          "contract": "month-to-month", "payment_method": "electronic-check",
          "support_tickets": 5, "region": "south", "has_addon": 0}

pytestmark = pytest.mark.skipif(not (FOLDER / "weights.npz").exists(), reason="fit first")


def test_one_prediction_per_record_in_order() -> None:
    scorer = ChurnScorer(FOLDER)
    loyal = {**RECORD, "tenure_months": 60, "contract": "two-year", "support_tickets": 0}
    first, second = scorer.run([RECORD, loyal])
    assert first["probability"] > second["probability"]


def test_an_unknown_region_is_scored() -> None:
    assert len(ChurnScorer(FOLDER).run([{**RECORD, "region": "apac"}])) == 1
