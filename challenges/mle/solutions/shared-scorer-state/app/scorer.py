"""Turns request records into churn probabilities with the weights train wrote.

The weights (artifacts/weights.npz) are plain numpy arrays: coefficients, intercept and the
training medians, means and scales; artifacts/schema.json holds the category vocabulary and
the threshold. Nothing is unpickled.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_tickets", "has_addon"]
CATEGORICAL = ["contract", "payment_method", "region"]


class ChurnScorer:
    """Loaded once at start-up; `run` scores one request's records in three steps."""

    def __init__(self, folder: Path) -> None:
        weights = np.load(folder / "weights.npz", allow_pickle=False)
        self.coef = weights["coef"]
        self.intercept = float(weights["intercept"][0])
        self.medians, self.means, self.scales = (weights["medians"], weights["means"],
                                                 weights["scales"])
        self.schema: dict[str, Any] = json.loads((folder / "schema.json").read_text())
        self.threshold = float(self.schema["threshold"])
        self.frame = pd.DataFrame()
        self.matrix = np.zeros((0, len(self.coef)))
        self.scores = np.zeros(0)

    def load(self, records: list[dict[str, Any]]) -> None:
        self.frame = pd.DataFrame.from_records(records, columns=NUMERIC + CATEGORICAL)

    def encode(self) -> None:
        numbers = self.frame[NUMERIC].astype("float64").to_numpy()
        numbers = np.where(np.isnan(numbers), self.medians, numbers)
        parts = [(numbers - self.means) / self.scales]
        for column in CATEGORICAL:
            levels = self.schema["levels"][column]
            values = self.frame[column].to_numpy()
            parts.append(np.stack([values == level for level in levels], axis=1)
                         .astype("float64"))
        self.matrix = np.hstack(parts)

    def predict(self) -> list[dict[str, float | int]]:
        self.scores = 1.0 / (1.0 + np.exp(-(self.matrix @ self.coef + self.intercept)))
        return [{"probability": round(float(p), 6), "label": int(p >= self.threshold)}
                for p in self.scores]

    def run(self, records: list[dict[str, Any]]) -> list[dict[str, float | int]]:
        self.load(records)
        self.encode()
        return self.predict()
