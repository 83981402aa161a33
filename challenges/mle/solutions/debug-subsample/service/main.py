"""Litestar API for the churn pipeline.

    MODEL_PATH=model_store uvicorn service.main:app

Request bodies are validated by msgspec: every feature must be present (null for missing)
with the right type, or the request is a 400. Other keys (customer_id...) are ignored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import msgspec
import pandas as pd
import skops.io as sio
from litestar import Litestar, get, post

STORE = Path(os.environ.get("MODEL_PATH", "model_store"))
INFO: dict[str, Any] = json.loads((STORE / "info.json").read_text())
_FILE = STORE / "churn.skops"
PIPELINE = sio.load(_FILE, trusted=sio.get_untrusted_types(file=_FILE))
COLUMNS: list[str] = INFO["features"]


class Customer(msgspec.Struct):
    tenure_months: float | None
    monthly_charges: float | None
    total_charges: float | None
    contract: str | None
    payment_method: str | None
    support_tickets: float | None
    region: str | None
    has_addon: int | None


class ScoreRequest(msgspec.Struct):
    records: list[Customer]


@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/metadata")
async def metadata() -> dict[str, Any]:
    return INFO


@post("/predict", status_code=200)
async def predict(data: ScoreRequest) -> dict[str, list[dict[str, Any]]]:
    if not data.records:
        return {"predictions": []}
    frame = pd.DataFrame([msgspec.structs.asdict(c) for c in data.records], columns=COLUMNS)
    frame = frame.astype({c: object for c in ("contract", "payment_method", "region")})
    scores = PIPELINE.predict_proba(frame)[:, 1]
    return {"predictions": [{"probability": round(float(s), 6),
                             "label": int(s >= INFO["threshold"])} for s in scores]}


app = Litestar(route_handlers=[health, metadata, predict])
