"""Copied from the challenge's public repository (challenges/mle/data/generator.py), unchanged
below this line.

Seeded generator of the ML-engineering take-home's churn dataset and its hidden holdout.

Customers of a subscription business, one row each, with a `churned` label drawn from a known
logistic model over mixed features: numeric (tenure, charges, support tickets), categorical
(contract, payment method, region), missing values, about 20% positives. Two traps:

- `account_ref` is ID-like and *leaky in the training set only*: accounts that churned were
  re-numbered into a high range by the export (a real-world artefact). A model that uses it
  looks great in cross-validation and drops on the holdout, where references are random.
- the holdout has a region the training set never shows (`apac`), a few rows each.

Everything the grader needs to judge is computed from the true probabilities on the holdout,
never typed in: the oracle ROC AUC (the best any model can do), a baseline AUC (the contract
type alone) and the AUC a model gets by ranking on the leaky column.

Standard library only: grader runs it on the host. The holdout's labels never leave the host.

    python generator.py --seed 11 --out DIR   # train.csv (kit), holdout_features.csv,
                                              # holdout_labels.json (keep hidden)
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FEATURES = ("tenure_months", "monthly_charges", "total_charges", "contract", "payment_method",
            "support_tickets", "region", "has_addon")
CATEGORICAL = ("contract", "payment_method", "region")
CONTRACTS = ("month-to-month", "one-year", "two-year")
PAYMENTS = ("card", "bank-transfer", "electronic-check", "invoice")
REGIONS = ("north", "south", "east", "west")
UNSEEN_REGION = "apac"
ID_COLUMN = "customer_id"
LEAKY_COLUMN = "account_ref"
LABEL = "churned"


@dataclass(frozen=True)
class Dataset:
    train_csv: bytes
    holdout_rows: list[dict[str, Any]]    # features only, as the server will receive them
    holdout_labels: list[int]
    key: dict[str, Any]                   # AUCs of reference rankings on the holdout


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def roc_auc(labels: list[int], scores: list[float]) -> float:
    """Mann-Whitney AUC with average ranks for ties; pure Python (used by grader too)."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    positives = sum(labels)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    rank_sum = sum(r for r, y in zip(ranks, labels, strict=True) if y == 1)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def _customer(rng: random.Random, holdout: bool) -> tuple[dict[str, Any], float]:
    contract = rng.choices(CONTRACTS, (5, 3, 2))[0]
    tenure = max(1, int(rng.expovariate(1 / (14 if contract == "month-to-month" else 30))))
    tenure = min(tenure, 72)
    monthly = round(rng.uniform(18, 115), 2)
    payment = rng.choices(PAYMENTS, (4, 3, 3, 1))[0]
    tickets = min(12, int(rng.expovariate(1 / 1.3)))
    region = UNSEEN_REGION if holdout and rng.random() < 0.02 else rng.choice(REGIONS)
    addon = rng.random() < 0.35
    logit = (-2.3 + {"month-to-month": 1.5, "one-year": 0.2, "two-year": -1.0}[contract]
             - 0.045 * tenure + 0.016 * (monthly - 60) + 0.42 * tickets - 0.6 * addon
             + (0.55 if payment == "electronic-check" else 0.0)
             + (0.3 if region == "south" else 0.0))
    total: float | None = round(monthly * tenure * rng.uniform(0.95, 1.05), 2)
    row: dict[str, Any] = {
        "tenure_months": tenure, "monthly_charges": monthly, "total_charges": total,
        "contract": contract, "payment_method": payment, "support_tickets": tickets,
        "region": region, "has_addon": int(addon)}
    if rng.random() < 0.05:
        row["total_charges"] = None
    if rng.random() < 0.02:
        row["monthly_charges"] = None
    if not holdout and rng.random() < 0.03:
        row["region"] = None
    return row, _sigmoid(logit)


def generate(seed: int, n_train: int = 6000, n_holdout: int = 2000) -> Dataset:
    rng = random.Random(seed)
    train_rows, train_labels = [], []
    for i in range(n_train):
        row, p = _customer(rng, holdout=False)
        label = int(rng.random() < p)
        # The leak: churned accounts were re-numbered into the 9xxxxx range by the export.
        ref = rng.randint(900_000, 999_999) if label and rng.random() < 0.8 else rng.randint(
            100_000, 899_999)
        train_rows.append({ID_COLUMN: f"C{seed % 1000:03d}{i:06d}", LEAKY_COLUMN: ref, **row})
        train_labels.append(label)
    holdout_rows, labels, probabilities, refs = [], [], [], []
    for i in range(n_holdout):
        row, p = _customer(rng, holdout=True)
        ref = rng.randint(100_000, 999_999)
        holdout_rows.append({ID_COLUMN: f"H{seed % 1000:03d}{i:06d}", LEAKY_COLUMN: ref, **row})
        labels.append(int(rng.random() < p))
        probabilities.append(p)
        refs.append(ref)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = [ID_COLUMN, LEAKY_COLUMN, *FEATURES, LABEL]
    writer.writerow(columns)
    for row, label in zip(train_rows, train_labels, strict=True):
        writer.writerow(["" if row[c] is None else row[c] for c in columns[:-1]] + [label])

    contract_score = [{"month-to-month": 2, "one-year": 1, "two-year": 0}[r["contract"]]
                      for r in holdout_rows]
    key = {
        "seed": seed,
        "positives": sum(labels), "rows": len(labels),
        "oracle_auc": round(roc_auc(labels, probabilities), 4),
        "baseline_auc": round(roc_auc(labels, [float(s) for s in contract_score]), 4),
        "baseline_note": "the contract type alone",
        "leaky_auc": round(roc_auc(labels, [float(r) for r in refs]), 4),
        "train_positive_rate": round(sum(train_labels) / len(train_labels), 4),
    }
    return Dataset(out.getvalue().encode(), holdout_rows, labels, key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    data = generate(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "train.csv").write_bytes(data.train_csv)
    (args.out / "holdout_features.json").write_text(json.dumps(data.holdout_rows) + "\n")
    (args.out / "holdout_labels.json").write_text(json.dumps(
        {"labels": data.holdout_labels, **data.key}) + "\n")


if __name__ == "__main__":
    main()
