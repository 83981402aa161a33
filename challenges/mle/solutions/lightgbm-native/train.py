"""Churn model: gradient-boosted trees with LightGBM, saved in LightGBM's own text format.

    python train.py --data data/train.csv --out model

Writes model/booster.txt (the trees, plain text: nothing in it can run code when loaded) and
model/schema.json (feature order, category levels, decision threshold, validation scores).

Column choices: `customer_id` is an identifier, and `account_ref` is dropped on purpose: the
export renumbered churned accounts into the 9xxxxx range, so it "predicts" churn in this file
only (validation AUC 0.99 with it, which is too good to be true).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import train_test_split

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_tickets", "has_addon"]
CATEGORICAL = ["contract", "payment_method", "region"]
TARGET = "churned"
SEED = 20240611
PARAMS = {
    "objective": "binary",
    "learning_rate": 0.03,
    "num_leaves": 7,
    "min_data_in_leaf": 60,
    "lambda_l2": 5.0,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "cat_smooth": 20,
    "seed": SEED,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "verbose": -1,
}


def to_frame(rows: pd.DataFrame, levels: dict[str, list[str]]) -> pd.DataFrame:
    """Model input: numeric columns as floats (NaN = missing), categoricals with the training
    levels only, so a region the model never saw becomes missing rather than a new code."""
    frame = rows[NUMERIC].astype("float64")
    for column in CATEGORICAL:
        frame[column] = pd.Categorical(rows[column], categories=levels[column])
    return frame


def pick_threshold(y_true: np.ndarray, scores: np.ndarray) -> float:
    grid = np.arange(0.15, 0.7, 0.01)
    return float(grid[int(np.argmax([f1_score(y_true, scores >= t) for t in grid]))])


def main() -> None:
    parser = argparse.ArgumentParser(description="train the churn model")
    parser.add_argument("--data", type=Path, default=Path("data/train.csv"))
    parser.add_argument("--out", type=Path, default=Path("model"))
    args = parser.parse_args()

    raw = pd.read_csv(args.data)
    levels = {c: sorted(str(v) for v in raw[c].dropna().unique()) for c in CATEGORICAL}
    x, y = to_frame(raw, levels), raw[TARGET].to_numpy()
    x_fit, x_val, y_fit, y_val = train_test_split(x, y, test_size=0.25, stratify=y,
                                                  random_state=SEED)
    probe = lgb.train(PARAMS, lgb.Dataset(x_fit, y_fit), num_boost_round=2000,
                      valid_sets=[lgb.Dataset(x_val, y_val)],
                      callbacks=[lgb.early_stopping(100, verbose=False)])
    rounds = probe.best_iteration
    val_scores = probe.predict(x_val, num_iteration=rounds)
    val_auc = roc_auc_score(y_val, val_scores)
    threshold = pick_threshold(y_val, val_scores)

    booster = lgb.train(PARAMS, lgb.Dataset(x, y), num_boost_round=rounds)
    args.out.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(args.out / "booster.txt"))
    schema = {"model_version": f"lgbm-{rounds}r-{SEED}", "features": NUMERIC + CATEGORICAL,
              "numeric": NUMERIC, "categorical": levels, "threshold": round(threshold, 3),
              "validation_auc": round(float(val_auc), 4), "rows": int(len(raw))}
    (args.out / "schema.json").write_text(json.dumps(schema, indent=2) + "\n")
    print(f"validation AUC {val_auc:.4f} after {rounds} rounds; threshold {threshold:.2f}")


if __name__ == "__main__":
    main()
