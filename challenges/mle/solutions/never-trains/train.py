"""Train the churn model and save it with skops.

python train.py data/train.csv model/
"""

import json
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_tickets", "has_addon"]
CATEGORICAL = ["contract", "payment_method", "region"]


def build() -> Pipeline:
    prep = ColumnTransformer([
        ("num", SimpleImputer(strategy="median"), NUMERIC),
        ("cat", Pipeline([("fill", SimpleImputer(strategy="constant", fill_value="missing")),
                          ("hot", OneHotEncoder(handle_unknown="ignore",
                                                sparse_output=False))]), CATEGORICAL),
    ])
    return Pipeline([("prep", prep),
                     ("gbm", HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05,
                                                            random_state=7))])


def main(data: str, out: str) -> None:
    df = pd.read_csv(data)
    X, y = df[NUMERIC + CATEGORICAL], df["churned"]
    X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=0.2, stratify=y,
                                                random_state=7)
    model = build().fit(X_tr, y_tr)
    auc = roc_auc_score(y_val, model.predict_proba(X_val)[:, 1])
    print(f"validation AUC {auc:.3f}")

    # quick look at how churn varies with tenure, for the write-up
    sns.histplot(data=df, x="tenure_months", hue="churned", bins=30)
    plt.savefig("tenure.png")

    model.fit(X, y)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    sio.dump(model, folder / "model.skops")
    (folder / "meta.json").write_text(json.dumps({
        "version": "2026-11-30", "features": NUMERIC + CATEGORICAL, "validation_auc": auc}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
