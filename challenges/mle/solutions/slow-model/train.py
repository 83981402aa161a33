"""Train the churn model and write the artifact the server loads.

    python train.py --data data/train.csv --out model

The artifact is a folder: model.skops (a scikit-learn pipeline, saved with skops so loading it
cannot run code) and metadata.json (version, features, decision threshold, validation AUC).
`account_ref` is not used: churned accounts were re-numbered by the export, so it predicts
churn in this file and nothing on new customers. `customer_id` is an identifier.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_tickets", "has_addon"]
CATEGORICAL = ["contract", "payment_method", "region"]
LABEL = "churned"
SEED = 7


def build_pipeline() -> Pipeline:
    features = ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), NUMERIC),
        ("categorical", make_pipeline(SimpleImputer(strategy="constant", fill_value="missing"),
                                      OneHotEncoder(handle_unknown="ignore")), CATEGORICAL),
    ])
    return Pipeline([("features", features),
                     ("model", RandomForestClassifier(n_estimators=150, max_depth=8,
                                                      class_weight="balanced",
                                                      random_state=SEED))])


def best_threshold(labels: np.ndarray, probabilities: np.ndarray) -> float:
    candidates = np.linspace(0.2, 0.8, 61)
    scores = [f1_score(labels, probabilities >= t) for t in candidates]
    return float(candidates[int(np.argmax(scores))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/train.csv"))
    parser.add_argument("--out", type=Path, default=Path("model"))
    args = parser.parse_args()
    frame = pd.read_csv(args.data)
    x, y = frame[NUMERIC + CATEGORICAL], frame[LABEL]
    x_train, x_valid, y_train, y_valid = train_test_split(x, y, test_size=0.2, stratify=y,
                                                          random_state=SEED)
    pipeline = build_pipeline().fit(x_train, y_train)
    valid_probabilities = pipeline.predict_proba(x_valid)[:, 1]
    auc = roc_auc_score(y_valid, valid_probabilities)
    threshold = best_threshold(y_valid.to_numpy(), valid_probabilities)
    pipeline = build_pipeline().fit(x, y)  # the final model sees every row

    args.out.mkdir(parents=True, exist_ok=True)
    sio.dump(pipeline, args.out / "model.skops")
    digest = hashlib.sha256((args.out / "model.skops").read_bytes()).hexdigest()[:12]
    metadata = {"model_version": f"forest-{digest}", "features": NUMERIC + CATEGORICAL,
                "threshold": round(threshold, 3), "validation_auc": round(auc, 4),
                "training_rows": len(frame)}
    (args.out / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
    print(json.dumps(metadata))


if __name__ == "__main__":
    main()
