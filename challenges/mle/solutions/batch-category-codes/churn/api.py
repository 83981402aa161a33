"""Starlette app serving the HistGradientBoosting churn model.

    MODEL_PATH=model uvicorn churn.api:app

The model is loaded at import. Input is checked by hand: every feature must be present,
numbers must be numbers or null, categories strings or null; anything else is a 400.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd
import skops.io as sio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from churn.features import CATEGORICAL, NUMERIC, prepare

MODEL_DIR = Path(os.environ.get("MODEL_PATH", "model"))
MAX_RECORDS = 5000

META: dict[str, Any] = json.loads((MODEL_DIR / "meta.json").read_text())
_PATH = MODEL_DIR / "model.skops"
MODEL = sio.load(_PATH, trusted=sio.get_untrusted_types(file=_PATH))


def check(record: Any, i: int) -> list[str]:
    if not isinstance(record, dict):
        return [f"record {i} is not an object"]
    errors = []
    for name in NUMERIC:
        value = record.get(name, "missing")
        if value == "missing":
            errors.append(f"record {i}: {name} is missing")
        elif value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                    or not math.isfinite(value)):
            errors.append(f"record {i}: {name} must be a number")
    for name in CATEGORICAL:
        if name not in record:
            errors.append(f"record {i}: {name} is missing")
        elif record[name] is not None and not isinstance(record[name], str):
            errors.append(f"record {i}: {name} must be a string")
    return errors


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "model_version": META["model_version"]})


async def metadata(request: Request) -> JSONResponse:
    return JSONResponse({k: META[k] for k in ("model_version", "features", "threshold",
                                              "validation_auc", "training_rows")})


async def predict(request: Request) -> JSONResponse:
    try:
        body = await request.json()
    except ValueError:
        return JSONResponse({"error": "body is not JSON"}, status_code=400)
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        return JSONResponse({"error": 'expected {"records": [...]}'}, status_code=400)
    records = body["records"]
    if len(records) > MAX_RECORDS:
        return JSONResponse({"error": f"at most {MAX_RECORDS} records"}, status_code=413)
    errors = [e for i, r in enumerate(records) for e in check(r, i)]
    if errors:
        return JSONResponse({"error": "invalid records", "details": errors[:20]},
                            status_code=400)
    if not records:
        return JSONResponse({"predictions": []})
    features = prepare(pd.DataFrame(records))
    scores = MODEL.predict_proba(features)[:, 1]
    threshold = META["threshold"]
    return JSONResponse({"predictions": [
        {"probability": round(float(s), 6), "label": int(s >= threshold)} for s in scores]})


app = Starlette(routes=[Route("/health", health), Route("/metadata", metadata),
                        Route("/predict", predict, methods=["POST"])])
