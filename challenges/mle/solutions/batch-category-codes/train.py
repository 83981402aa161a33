"""Train the churn model: HistGradientBoosting with native categorical support.

    python train.py data/train.csv model

Writes model/model.skops (skops: loading it runs no code) and model/meta.json. The id
columns are left out: customer_id identifies, account_ref was renumbered by the billing
export for churned customers, so it only predicts churn inside this file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import skops.io as sio
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from churn.features import CATEGORICAL, FEATURES, prepare

SEED = 42


def make_model() -> HistGradientBoostingClassifier:
    categorical = [FEATURES.index(c) for c in CATEGORICAL]
    return HistGradientBoostingClassifier(
        learning_rate=0.05, max_iter=300, max_leaf_nodes=15, min_samples_leaf=40,
        l2_regularization=1.0, categorical_features=categorical, early_stopping=False,
        random_state=SEED)


def main(data_path: str, out_dir: str) -> None:
    frame = pd.read_csv(data_path)
    x, y = prepare(frame), frame["churned"].to_numpy()
    x_fit, x_val, y_fit, y_val = train_test_split(x, y, test_size=0.25, stratify=y,
                                                  random_state=SEED)
    auc = roc_auc_score(y_val, make_model().fit(x_fit, y_fit).predict_proba(x_val)[:, 1])
    model = make_model().fit(x, y)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sio.dump(model, out / "model.skops")
    rate = float(np.mean(y))
    meta = {"model_version": "hgb-1", "features": FEATURES, "threshold": round(rate * 1.5, 3),
            "validation_auc": round(float(auc), 4), "training_rows": int(len(frame))}
    (out / "meta.json").write_text(json.dumps(meta, indent=2))
    print(f"validation AUC {auc:.4f} on {len(y_val)} rows; trained on {len(frame)} rows")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python train.py DATA.csv OUT_DIR")
    main(sys.argv[1], sys.argv[2])
