"""Fit one logistic regression per contract type with statsmodels and write its parameters
as JSON (no pickle; the server needs numpy only).

    python train.py --data data/train.csv --out params

customer_id is an identifier and account_ref an artefact of the billing export (churned
accounts were renumbered), so neither is a feature.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

from scoring.model import FALLBACK, NUMERIC, ONE_HOT, SEGMENT, design


def statistics(frame: pd.DataFrame) -> dict[str, object]:
    numbers = frame[NUMERIC].astype("float64")
    return {"medians": numbers.median().round(6).to_dict(),
            "means": numbers.fillna(numbers.median()).mean().round(6).to_dict(),
            "stds": numbers.fillna(numbers.median()).std().round(6).to_dict(),
            # the first level of each (alphabetically) is the baseline: it gets no column
            "vocab": {c: sorted(frame[c].dropna().unique().tolist())[1:] for c in ONE_HOT}}


def fit(frame: pd.DataFrame, spec: dict[str, object]) -> list[float]:
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    result = sm.Logit(frame["churned"].to_numpy(), design(records, spec)).fit(disp=0,
                                                                               maxiter=200)
    return [round(float(v), 8) for v in result.params]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    frame = pd.read_csv(args.data)
    spec: dict[str, object] = statistics(frame)
    segments = {contract: fit(group, spec) for contract, group in frame.groupby(SEGMENT)}
    segments[FALLBACK] = fit(frame, spec)
    spec.update({"model_version": "glm-by-contract-1", "segments": segments,
                 "threshold": round(float(np.mean(frame["churned"])) * 1.4, 3),
                 "training_rows": len(frame)})
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "churn_glm.json").write_text(json.dumps(spec, indent=1))
    print(f"{len(segments) - 1} contract models and a pooled one, {len(frame)} rows")


if __name__ == "__main__":
    main()
