"""Flask app serving the XGBoost churn model.

    MODEL_PATH=model gunicorn churn_api.server:app

Input is checked by hand before it reaches the model: every feature must be present, numbers
must be numbers (or null), categories strings (or null). Anything else is a 400 that says
which record and field are wrong.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd
import xgboost as xgb
from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from churn_api.features import CATEGORICAL, NUMERIC, design_matrix

MODEL_DIR = Path(os.environ.get("MODEL_PATH", "model"))
MAX_RECORDS = 5000

LAYOUT: dict[str, Any] = json.loads((MODEL_DIR / "features.json").read_text())
BOOSTER = xgb.Booster()
BOOSTER.load_model(MODEL_DIR / "xgb.ubj")

app = Flask(__name__)


def problems(record: Any, index: int) -> list[str]:
    if not isinstance(record, dict):
        return [f"records[{index}] is not an object"]
    found = []
    for field in NUMERIC:
        if field not in record:
            found.append(f"records[{index}].{field} is missing")
            continue
        value = record[field]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                  or not math.isfinite(value)):
            found.append(f"records[{index}].{field} must be a number or null")
    for field in CATEGORICAL:
        if field not in record:
            found.append(f"records[{index}].{field} is missing")
        elif record[field] is not None and not isinstance(record[field], str):
            found.append(f"records[{index}].{field} must be a string or null")
    return found


@app.errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[Any, int]:
    return jsonify(error=error.description), error.code or 500


@app.get("/health")
def health() -> Any:
    return jsonify(status="ok", model_version=LAYOUT["model_version"])


@app.get("/metadata")
def metadata() -> Any:
    return jsonify({k: LAYOUT[k] for k in ("model_version", "features", "threshold",
                                           "cv_auc")})


@app.post("/predict")
def predict() -> Any:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        return jsonify(error='expected a JSON object {"records": [...]}'), 400
    records = body["records"]
    if len(records) > MAX_RECORDS:
        return jsonify(error=f"at most {MAX_RECORDS} records per call"), 413
    errors = [p for i, r in enumerate(records) for p in problems(r, i)]
    if errors:
        return jsonify(error="invalid records", details=errors[:20]), 400
    if not records:
        return jsonify(predictions=[])
    matrix = design_matrix(pd.DataFrame(records), LAYOUT["columns"])
    scores = BOOSTER.predict(xgb.DMatrix(matrix))
    threshold = LAYOUT["threshold"]
    return jsonify(predictions=[{"probability": round(float(s), 6),
                                 "label": int(s >= threshold)} for s in scores])
