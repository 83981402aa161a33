"""The per-contract logistic models, read from the JSON that train.py writes.

Churn behaves differently by contract type (month-to-month customers leave for other
reasons than two-year ones), so there is one logistic regression per contract, each on the
same design: standardised numbers (missing ones imputed with the training median) and
one-hot payment method and region (an unseen value gets no column: the baseline).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_tickets", "has_addon"]
ONE_HOT = ["payment_method", "region"]
SEGMENT = "contract"
FALLBACK = "all"      # a pooled model for a contract the training data does not have


def design(records: list[dict[str, Any]], spec: dict[str, Any]) -> np.ndarray:
    """The design matrix of `records` under the training file's statistics and vocabulary."""
    rows = []
    for record in records:
        row = [1.0]
        for name in NUMERIC:
            value = record.get(name)
            value = spec["medians"][name] if value is None else float(value)
            row.append((value - spec["means"][name]) / spec["stds"][name])
        for name in ONE_HOT:
            row += [1.0 if record.get(name) == level else 0.0 for level in spec["vocab"][name]]
        rows.append(row)
    return np.asarray(rows, dtype="float64")


class ChurnModel:
    def __init__(self, path: Path) -> None:
        spec = json.loads(path.read_text())
        self.spec = spec
        self.coefficients = {k: np.asarray(v, dtype="float64")
                             for k, v in spec["segments"].items()}
        self.threshold = float(spec["threshold"])

    def score(self, records: list[dict[str, Any]]) -> list[float]:
        """Probabilities of churn. Records are scored segment by segment, so each
        contract's model runs once per batch on a single matrix."""
        segments: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in records:
            key = record.get(SEGMENT)
            segments[key if key in self.coefficients else FALLBACK].append(record)
        scores: list[float] = []
        for key, group in segments.items():
            logits = design(group, self.spec) @ self.coefficients[key]
            scores.extend(1.0 / (1.0 + math.exp(-z)) for z in logits)
        return scores
