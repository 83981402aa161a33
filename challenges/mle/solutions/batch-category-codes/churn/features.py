"""Feature preparation shared by training and serving, so both see the same columns.

HistGradientBoosting handles missing numbers itself and takes categories as small integer
codes (its native categorical support), so the categoricals are turned into codes here.
"""

from __future__ import annotations

import pandas as pd

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_tickets", "has_addon"]
CATEGORICAL = ["contract", "payment_method", "region"]
FEATURES = NUMERIC + CATEGORICAL


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Numeric columns as floats (NaN for missing) and each categorical as its category
    code (-1 for missing, which the model treats as missing)."""
    out = frame[NUMERIC].astype("float64")
    for column in CATEGORICAL:
        out[column] = frame[column].astype("category").cat.codes.astype("float64")
        out.loc[out[column] < 0, column] = float("nan")
    return out[FEATURES]
