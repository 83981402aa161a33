"""Train the churn classifier (gradient-boosted trees in a scikit-learn pipeline).

    python train.py            # reads data/train.csv, writes model_store/

The pipeline imputes and one-hot encodes inside the model, so the server passes raw records.
Saved with skops (no pickle). Not used: customer_id (an id) and account_ref (renumbered by
the billing export for churned accounts: it leaks the label in this file only).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder

DATA = Path("data/train.csv")
OUT = Path("model_store")
SEED = 2024
DEBUG = True  # quick iterations while tuning: train on a 10% sample

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_tickets", "has_addon"]
CATEGORICAL = ["contract", "payment_method", "region"]


def pipeline() -> Pipeline:
    prepare = ColumnTransformer([
        ("num", SimpleImputer(strategy="median"), NUMERIC),
        ("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value="unknown"),
                              OneHotEncoder(handle_unknown="ignore")), CATEGORICAL)])
    model = GradientBoostingClassifier(n_estimators=200, learning_rate=0.05, max_depth=3,
                                       subsample=0.9, random_state=SEED)
    return Pipeline([("prepare", prepare), ("model", model)])


def main() -> None:
    started = time.time()
    df = pd.read_csv(DATA)
    if DEBUG:
        df = df.sample(frac=0.1, random_state=SEED)
    x, y = df[NUMERIC + CATEGORICAL], df["churned"]
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, stratify=y,
                                              random_state=SEED)
    auc = roc_auc_score(y_te, pipeline().fit(x_tr, y_tr).predict_proba(x_te)[:, 1])
    model = pipeline().fit(x, y)

    OUT.mkdir(exist_ok=True)
    sio.dump(model, OUT / "churn.skops")
    info = {"model_version": f"gbt-{time.strftime('%Y%m%d')}", "features": NUMERIC + CATEGORICAL,
            "n_train": len(df), "holdout_auc": round(auc, 4), "threshold": 0.3}
    (OUT / "info.json").write_text(json.dumps(info, indent=2))
    print(f"AUC {auc:.3f} on {len(y_te)} held-out rows ({time.time() - started:.1f} s)")


if __name__ == "__main__":
    main()
