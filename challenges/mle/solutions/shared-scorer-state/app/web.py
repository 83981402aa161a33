"""Bottle app for the churn model, served by waitress (8 threads).

    MODEL_PATH=artifacts waitress-serve --port=8000 app.web:application
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from bottle import Bottle, HTTPResponse, request

from app.scorer import CATEGORICAL, NUMERIC, ChurnScorer

MAX_RECORDS = 5000
SCORER = ChurnScorer(Path(os.environ.get("MODEL_PATH", "artifacts")))

application = Bottle()


def bad(message: str, status: int = 400, **extra: Any) -> HTTPResponse:
    return HTTPResponse(json.dumps({"error": message, **extra}), status=status,
                        headers={"Content-Type": "application/json"})


def validate(records: Any) -> list[str]:
    errors = []
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            errors.append(f"record {i}: not an object")
            continue
        for name in NUMERIC + CATEGORICAL:
            if name not in record:
                errors.append(f"record {i}: {name} missing")
                continue
            value = record[name]
            if value is None:
                continue
            if name in NUMERIC and (isinstance(value, bool) or not isinstance(value, int | float)
                                    or not math.isfinite(value)):
                errors.append(f"record {i}: {name} is not a number")
            if name in CATEGORICAL and not isinstance(value, str):
                errors.append(f"record {i}: {name} is not a string")
    return errors


@application.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "model_version": SCORER.schema["model_version"]}


@application.get("/metadata")
def metadata() -> dict[str, Any]:
    return {"model_version": SCORER.schema["model_version"],
            "features": NUMERIC + CATEGORICAL, "threshold": SCORER.threshold}


@application.post("/predict")
def predict() -> dict[str, Any]:
    try:
        body = json.loads(request.body.read() or b"null")
    except ValueError:
        return bad("the body is not JSON")
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        return bad('expected {"records": [...]}')
    records = body["records"]
    if len(records) > MAX_RECORDS:
        return bad(f"at most {MAX_RECORDS} records", 413)
    errors = validate(records)
    if errors:
        return bad("invalid records", details=errors[:20])
    return {"predictions": SCORER.run(records) if records else []}
