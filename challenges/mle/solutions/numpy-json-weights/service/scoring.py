"""The model's arithmetic, shared by training and serving: records -> design matrix -> score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_tickets", "has_addon"]
CATEGORICAL = ["contract", "payment_method", "region"]


def design(records: Sequence[Mapping[str, Any]], params: Mapping[str, Any]) -> np.ndarray:
    """Scaled numbers (missing -> the training median) and one-hot levels (unknown or missing
    -> all zeros), in a fixed column order."""
    columns = []
    for name in NUMERIC:
        stats = params["numeric"][name]
        values = np.array([stats["median"] if r.get(name) is None else float(r[name])
                           for r in records])
        columns.append((values - stats["mean"]) / stats["std"])
    for name in CATEGORICAL:
        for level in params["categorical"][name]:
            columns.append(np.array([1.0 if r.get(name) == level else 0.0 for r in records]))
    return np.column_stack(columns) if records else np.zeros((0, len(columns)))


def probabilities(records: Sequence[Mapping[str, Any]], model: Mapping[str, Any]) -> np.ndarray:
    x = design(records, model)
    return 1 / (1 + np.exp(-(model["intercept"] + x @ np.asarray(model["coef"]))))
