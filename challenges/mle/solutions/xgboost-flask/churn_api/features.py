"""Feature engineering shared by train.py and the server, so both build the same matrix."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_tickets", "has_addon"]
CATEGORICAL = ["contract", "payment_method", "region"]


def design_matrix(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Numbers as floats (NaN stays NaN: XGBoost learns where missing values go) and one-hot
    categoricals. With `columns` (the training layout) the result is aligned to it: a category
    the model never saw gets no column of its own, only zeros."""
    numbers = frame[NUMERIC].astype("float64")
    dummies = pd.get_dummies(frame[CATEGORICAL].astype("object"), prefix_sep="=",
                             dtype="float64")
    matrix = pd.concat([numbers, dummies], axis=1)
    if columns is not None:
        matrix = matrix.reindex(columns=list(columns), fill_value=0.0)
    return matrix
