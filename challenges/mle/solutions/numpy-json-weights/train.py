"""A logistic regression written with numpy alone; its parameters go to a JSON file.

    python train.py --csv data/train.csv --out weights

weights/model.json holds everything the server needs to score a customer: per numeric column
the median used for missing values and the mean/std used for scaling, per categorical column
its levels (one-hot; unknown and missing values get all zeros), the coefficients, the
intercept and the decision threshold. Plain numbers: loading it cannot run code.

customer_id and account_ref are left out: the first is an identifier, the second was
renumbered by the export for churned accounts only (it leaks the label in this file).
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np

from service.scoring import CATEGORICAL, NUMERIC, design

L2 = 1.0
STEPS = 25


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def column(rows: list[dict[str, str]], name: str) -> np.ndarray:
    return np.array([float(r[name]) if r[name] != "" else np.nan for r in rows])


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Newton's method on the L2-penalised log loss (intercept not penalised): exact and
    deterministic, a few steps are enough on 6,000 rows."""
    x1 = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(x1.shape[1])
    penalty = np.full(x1.shape[1], L2)
    penalty[0] = 0.0
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-x1 @ w))
        gradient = x1.T @ (p - y) + penalty * w
        hessian = (x1 * (p * (1 - p))[:, None]).T @ x1 + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def auc(y: np.ndarray, scores: np.ndarray) -> float:
    order = scores.argsort()
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    positives = y.sum()
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2)
                 / (positives * (len(y) - positives)))


def main() -> None:
    parser = argparse.ArgumentParser(description="fit the churn model")
    parser.add_argument("--csv", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rows = read(args.csv)
    y = np.array([int(r["churned"]) for r in rows], dtype=float)
    numeric: dict[str, dict[str, float]] = {}
    for name in NUMERIC:
        values = column(rows, name)
        median = float(np.nanmedian(values))
        filled = np.where(np.isnan(values), median, values)
        numeric[name] = {"median": median, "mean": float(filled.mean()),
                         "std": float(filled.std() or 1.0)}
    categorical = {name: sorted({r[name] for r in rows if r[name]}) for name in CATEGORICAL}
    params = {"numeric": numeric, "categorical": categorical}
    records = [{k: (None if v == "" else v) for k, v in r.items()} for r in rows]
    x = design(records, params)

    rng = np.random.default_rng(0)
    valid = rng.random(len(y)) < 0.2
    w_fit = fit(x[~valid], y[~valid])
    scores = 1 / (1 + np.exp(-(w_fit[0] + x[valid] @ w_fit[1:])))
    valid_auc = auc(y[valid], scores)
    threshold = float(np.quantile(scores, 1 - y[~valid].mean()))

    w = fit(x, y)
    args.out.mkdir(parents=True, exist_ok=True)
    model = {**params, "intercept": float(w[0]), "coef": [float(v) for v in w[1:]],
             "threshold": threshold, "model_version": "numpy-logreg-1",
             "features": NUMERIC + CATEGORICAL, "validation_auc": round(valid_auc, 4)}
    (args.out / "model.json").write_text(json.dumps(model, indent=1))
    print(f"validation AUC {valid_auc:.4f}, threshold {threshold:.3f}")


if __name__ == "__main__":
    main()
