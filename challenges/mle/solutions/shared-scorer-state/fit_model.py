"""Fit the churn model (logistic regression on hand-built features) and export its weights.

    python fit_model.py data/train.csv artifacts

The design: numbers imputed with the training median and standardised, one column per known
category level (an unknown level gets none). customer_id and account_ref are not used:
account_ref was renumbered by the billing export for churned customers only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_tickets", "has_addon"]
CATEGORICAL = ["contract", "payment_method", "region"]


def features(frame: pd.DataFrame, medians: np.ndarray, means: np.ndarray, scales: np.ndarray,
             levels: dict[str, list[str]]) -> np.ndarray:
    numbers = frame[NUMERIC].astype("float64").to_numpy()
    numbers = np.where(np.isnan(numbers), medians, numbers)
    parts = [(numbers - means) / scales]
    for column in CATEGORICAL:
        values = frame[column].to_numpy()
        parts.append(np.stack([values == level for level in levels[column]], axis=1)
                     .astype("float64"))
    return np.hstack(parts)


def main(data: str, out_dir: str) -> None:
    frame = pd.read_csv(data)
    numbers = frame[NUMERIC].astype("float64")
    medians = numbers.median().to_numpy()
    filled = numbers.fillna(numbers.median())
    means, scales = filled.mean().to_numpy(), filled.std().to_numpy()
    levels = {c: sorted(frame[c].dropna().unique().tolist()) for c in CATEGORICAL}
    x, y = features(frame, medians, means, scales, levels), frame["churned"].to_numpy()
    model = LogisticRegression(C=0.5, max_iter=2000)
    auc = cross_val_score(model, x, y, cv=5, scoring="roc_auc").mean()
    model.fit(x, y)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    np.savez(out / "weights.npz", coef=model.coef_[0], intercept=model.intercept_,
             medians=medians, means=means, scales=scales)
    schema = {"model_version": "logit-1", "levels": levels, "cv_auc": round(float(auc), 4),
              "threshold": round(float(y.mean()) * 1.4, 3)}
    (out / "schema.json").write_text(json.dumps(schema, indent=2))
    print(f"5-fold AUC {auc:.4f}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
