"""Train an extra-trees churn model and save it with skops.

    python train.py --csv data/train.csv --model-dir model

model/forest.skops is the scikit-learn pipeline (imputation and one-hot encoding inside),
model/card.json its model card: version, features, threshold, cross-validated AUC.
customer_id and account_ref are left out (an id, and a reference the billing export
renumbered for churned accounts only).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
import skops.io as sio
from sklearn.compose import make_column_transformer
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.impute import SimpleImputer
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_tickets", "has_addon"]
CATEGORICAL = ["contract", "payment_method", "region"]


def build() -> object:
    columns = make_column_transformer(
        (SimpleImputer(strategy="median"), NUMERIC),
        (make_pipeline(SimpleImputer(strategy="most_frequent"),
                       OneHotEncoder(handle_unknown="ignore")), CATEGORICAL))
    forest = ExtraTreesClassifier(n_estimators=60, max_depth=8, min_samples_leaf=10,
                                  class_weight="balanced_subsample", random_state=3, n_jobs=1)
    return make_pipeline(columns, forest)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", type=Path, default=Path("data/train.csv"))
    parser.add_argument("--model-dir", type=Path, default=Path("model"))
    args = parser.parse_args()
    frame = pd.read_csv(args.csv)
    x, y = frame[NUMERIC + CATEGORICAL], frame["churned"].to_numpy()
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=3)
    oof = cross_val_predict(build(), x, y, cv=folds, method="predict_proba")[:, 1]
    auc = roc_auc_score(y, oof)
    threshold = float(np.quantile(oof, 1 - y.mean()))
    model = build().fit(x, y)

    args.model_dir.mkdir(parents=True, exist_ok=True)
    sio.dump(model, args.model_dir / "forest.skops")
    card = {"model_version": "extratrees-3", "features": NUMERIC + CATEGORICAL,
            "threshold": round(threshold, 4), "cv_auc": round(auc, 4), "rows": len(frame)}
    (args.model_dir / "card.json").write_text(json.dumps(card, indent=2))
    print(json.dumps(card))


if __name__ == "__main__":
    main()
