"""GET /health, GET /metadata, POST /predict for the numpy model in $MODEL_PATH/model.json."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI
from pydantic import BaseModel, Field, StrictInt

from service.scoring import probabilities

MODEL: dict[str, Any] = json.loads(
    (Path(os.environ.get("MODEL_PATH", "weights")) / "model.json").read_text())


class Customer(BaseModel):
    tenure_months: Annotated[float, Field(ge=0)] | None
    monthly_charges: Annotated[float, Field(ge=0)] | None
    total_charges: Annotated[float, Field(ge=0)] | None
    contract: str | None
    payment_method: str | None
    support_tickets: Annotated[int, Field(ge=0)] | None
    region: str | None
    has_addon: Annotated[StrictInt, Field(ge=0, le=1)] | None


class PredictBody(BaseModel):
    records: Annotated[list[Customer], Field(max_length=5000)]


app = FastAPI(title="churn (numpy)")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/metadata")
def metadata() -> dict[str, Any]:
    return {k: MODEL[k] for k in ("model_version", "features", "threshold", "validation_auc")}


@app.post("/predict")
def predict(body: PredictBody) -> dict[str, list[dict[str, float | int]]]:
    scores = probabilities([c.model_dump() for c in body.records], MODEL)
    cut = MODEL["threshold"]
    return {"predictions": [{"probability": round(float(s), 6), "label": int(s >= cut)}
                            for s in scores]}
