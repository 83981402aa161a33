"""The churn API on aiohttp.

    MODEL_PATH=model PORT=8000 python -m churnsvc
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

import pandas as pd
from aiohttp import web

from churnsvc.model import load_card, load_model

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_tickets", "has_addon"]
CATEGORICAL = ["contract", "payment_method", "region"]
MAX_RECORDS = 5000


def invalid(records: Any) -> str | None:
    if not isinstance(records, list):
        return 'expected {"records": [...]}'
    if len(records) > MAX_RECORDS:
        return f"at most {MAX_RECORDS} records"
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            return f"records[{i}] is not an object"
        for name in NUMERIC + CATEGORICAL:
            if name not in record:
                return f"records[{i}].{name} is missing"
            value = record[name]
            if value is None:
                continue
            if name in NUMERIC and (isinstance(value, bool) or not isinstance(value, int | float)
                                    or not math.isfinite(value)):
                return f"records[{i}].{name} must be a number"
            if name in CATEGORICAL and not isinstance(value, str):
                return f"records[{i}].{name} must be a string"
    return None


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def metadata(request: web.Request) -> web.Response:
    card = load_card()
    return web.json_response({k: card[k] for k in ("model_version", "features", "cv_auc")})


async def predict(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return web.json_response({"error": "body is not JSON"}, status=400)
    records = body.get("records") if isinstance(body, dict) else None
    problem = invalid(records)
    if problem:
        return web.json_response({"error": problem}, status=400)
    if not records:
        return web.json_response({"predictions": []})
    model, card = load_model(), load_card()
    frame = pd.DataFrame(records, columns=NUMERIC + CATEGORICAL)
    frame[CATEGORICAL] = frame[CATEGORICAL].astype(object)
    scores = model.predict_proba(frame)[:, 1]
    return web.json_response({"predictions": [
        {"probability": round(float(s), 6), "label": int(s >= card["threshold"])}
        for s in scores]})


def make_app() -> web.Application:
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.add_routes([web.get("/health", health), web.get("/metadata", metadata),
                    web.post("/predict", predict)])
    return app


if __name__ == "__main__":
    web.run_app(make_app(), host=os.environ.get("HOST", "0.0.0.0"),
                port=int(os.environ.get("PORT", "8000")))
