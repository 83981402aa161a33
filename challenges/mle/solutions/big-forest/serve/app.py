"""Serves the forest: GET /health, GET /metadata, POST /predict."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import skops.io as sio
from fastapi import FastAPI
from pydantic import BaseModel, Field

HERE = Path(os.environ.get("MODEL_PATH", "model"))
MODEL: Any = sio.load(HERE / "forest.skops",
                      trusted=sio.get_untrusted_types(file=HERE / "forest.skops"))
INFO = json.loads((HERE / "info.json").read_text())

app = FastAPI(title="churn")


class Customer(BaseModel):
    tenure_months: float | None = None
    monthly_charges: float | None = None
    total_charges: float | None = None
    contract: str | None = None
    payment_method: str | None = None
    support_tickets: float | None = None
    region: str | None = None
    has_addon: float | None = None


class Request(BaseModel):
    records: list[Customer] = Field(max_length=5000)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/metadata")
def metadata() -> dict[str, Any]:
    return INFO


@app.post("/predict")
def predict(request: Request) -> dict[str, list[dict[str, float | int]]]:
    if not request.records:
        return {"predictions": []}
    frame = pd.DataFrame([r.model_dump() for r in request.records])[INFO["features"]]
    p = MODEL.predict_proba(frame)[:, 1]
    return {"predictions": [{"probability": float(v), "label": int(v >= 0.5)} for v in p]}
