"""Train an XGBoost churn classifier and export it in XGBoost's binary JSON format (UBJ).

    python train.py data/train.csv model

model/xgb.ubj holds the trees; model/features.json the one-hot column layout the server must
rebuild, the decision threshold and a few numbers from validation. No pickle anywhere.

Not used as features: customer_id (an identifier) and account_ref, which the billing export
renumbered for churned customers only: it separates the classes in this file and nowhere else.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from churn_api.features import CATEGORICAL, NUMERIC, design_matrix

RANDOM_STATE = 13


def make_model(n_estimators: int = 600) -> xgb.XGBClassifier:
    return xgb.XGBClassifier(
        n_estimators=n_estimators, learning_rate=0.03, max_depth=3, min_child_weight=5,
        subsample=0.8, colsample_bytree=0.8, reg_lambda=2.0, tree_method="hist",
        eval_metric="auc", random_state=RANDOM_STATE, n_jobs=1)


def cross_validate(x: pd.DataFrame, y: np.ndarray) -> tuple[int, float, float]:
    """Rounds (mean best iteration), AUC, and the threshold that maximises F1, over 4 folds."""
    rounds, aucs, thresholds = [], [], []
    folds = StratifiedKFold(n_splits=4, shuffle=True, random_state=RANDOM_STATE)
    for fit_idx, val_idx in folds.split(x, y):
        model = make_model()
        model.set_params(early_stopping_rounds=60)
        model.fit(x.iloc[fit_idx], y[fit_idx], eval_set=[(x.iloc[val_idx], y[val_idx])],
                  verbose=False)
        scores = model.predict_proba(x.iloc[val_idx])[:, 1]
        rounds.append(model.best_iteration + 1)
        aucs.append(roc_auc_score(y[val_idx], scores))
        grid = np.linspace(0.1, 0.6, 51)
        f1 = [2 * ((scores >= t) & (y[val_idx] == 1)).sum()
              / max(1, (scores >= t).sum() + (y[val_idx] == 1).sum()) for t in grid]
        thresholds.append(grid[int(np.argmax(f1))])
    return int(np.mean(rounds)), float(np.mean(aucs)), float(np.median(thresholds))


def main(data_path: str, out_dir: str) -> None:
    frame = pd.read_csv(data_path)
    x = design_matrix(frame)
    y = frame["churned"].to_numpy()
    rounds, auc, threshold = cross_validate(x, y)
    final = make_model(n_estimators=rounds).fit(x, y, verbose=False)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    final.get_booster().save_model(out / "xgb.ubj")
    layout = {
        "model_version": f"xgb-{date.today():%Y%m%d}-r{rounds}",
        "features": NUMERIC + CATEGORICAL,
        "columns": list(x.columns),
        "threshold": round(threshold, 3),
        "cv_auc": round(auc, 4),
    }
    (out / "features.json").write_text(json.dumps(layout, indent=2))
    print(f"4-fold AUC {auc:.4f}, {rounds} trees, threshold {threshold:.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python train.py DATA.csv OUT_DIR")
    main(sys.argv[1], sys.argv[2])
