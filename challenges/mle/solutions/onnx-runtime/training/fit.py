"""Fit the churn pipeline and export it to ONNX, so serving needs onnxruntime only.

    python -m training.fit --train-csv data/train.csv --artifact-dir artifacts

artifacts/churn.onnx: imputation, scaling, one-hot encoding and the logistic regression, all
inside the graph (one input per raw column). artifacts/card.json: a small model card (version,
input columns, threshold, validation metrics) that /metadata returns.

Dropped: customer_id (identifier) and account_ref (the export gave churned accounts new
references, so the column leaks the label in this file and is noise on new data).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pandas as pd
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMBERS = ["tenure_months", "monthly_charges", "total_charges", "support_tickets", "has_addon"]
CATEGORIES = ["contract", "payment_method", "region"]
MISSING = "(missing)"


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Raw columns as the graph takes them: float32 numbers (NaN = missing) and strings."""
    out = frame[NUMBERS].astype("float32")
    for column in CATEGORIES:
        out[column] = frame[column].astype("object").where(frame[column].notna(), MISSING)
    return out


def pipeline() -> Pipeline:
    columns = ColumnTransformer([
        ("numbers", Pipeline([("impute", SimpleImputer(strategy="median")),
                              ("scale", StandardScaler())]), NUMBERS),
        ("categories", OneHotEncoder(handle_unknown="ignore"), CATEGORIES),
    ])
    model = LogisticRegressionCV(Cs=8, cv=5, scoring="roc_auc", max_iter=2000)
    return Pipeline([("columns", columns), ("model", model)])


def export(fitted: Pipeline, sample: pd.DataFrame, path: Path) -> None:
    inputs = [(c, FloatTensorType([None, 1])) for c in NUMBERS] + \
             [(c, StringTensorType([None, 1])) for c in CATEGORIES]
    graph = to_onnx(fitted, initial_types=inputs, target_opset=17,
                    options={id(fitted.steps[-1][1]): {"zipmap": False}})
    path.write_bytes(graph.SerializeToString())
    # The exported graph must agree with scikit-learn before it ships.
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {c: sample[[c]].to_numpy() for c in NUMBERS + CATEGORIES}
    onnx_scores = session.run(["probabilities"], feeds)[0][:, 1]
    assert np.allclose(onnx_scores, fitted.predict_proba(sample)[:, 1], atol=1e-4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-csv", type=Path, required=True)
    parser.add_argument("--artifact-dir", type=Path, required=True)
    args = parser.parse_args()

    raw = pd.read_csv(args.train_csv)
    x, y = prepare(raw), raw["churned"].to_numpy()
    x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=0.2, stratify=y, random_state=5)
    held_out = pipeline().fit(x_tr, y_tr).predict_proba(x_va)[:, 1]
    auc, ap = roc_auc_score(y_va, held_out), average_precision_score(y_va, held_out)
    threshold = float(np.quantile(held_out, 1 - y_tr.mean()))  # flag as many as churn

    final = pipeline().fit(x, y)
    args.artifact_dir.mkdir(parents=True, exist_ok=True)
    export(final, x.head(200), args.artifact_dir / "churn.onnx")
    digest = hashlib.sha256((args.artifact_dir / "churn.onnx").read_bytes()).hexdigest()
    card = {"model_version": f"onnx-logreg-{digest[:10]}", "features": NUMBERS + CATEGORIES,
            "threshold": round(threshold, 4), "validation": {"auc": round(auc, 4),
                                                             "average_precision": round(ap, 4)}}
    (args.artifact_dir / "card.json").write_text(json.dumps(card, indent=1))
    print(json.dumps(card))


if __name__ == "__main__":
    main()
