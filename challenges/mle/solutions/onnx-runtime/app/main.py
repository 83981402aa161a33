"""Serve artifacts/churn.onnx with onnxruntime: GET /health, GET /metadata, POST /predict.

The artifact folder comes from $MODEL_PATH. Validation is pydantic's (422 on a missing field
or a wrong type); categories are free strings, since the graph one-hot encodes with unknown
values ignored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import numpy as np
import onnxruntime as ort
from fastapi import FastAPI
from pydantic import BaseModel, Field, NonNegativeFloat, NonNegativeInt

ARTIFACTS = Path(os.environ.get("MODEL_PATH", "artifacts"))
NUMBERS = ["tenure_months", "monthly_charges", "total_charges", "support_tickets", "has_addon"]
CATEGORIES = ["contract", "payment_method", "region"]
MISSING = "(missing)"

CARD = json.loads((ARTIFACTS / "card.json").read_text())
SESSION = ort.InferenceSession(str(ARTIFACTS / "churn.onnx"),
                               providers=["CPUExecutionProvider"])


class Row(BaseModel):
    tenure_months: NonNegativeFloat | None
    monthly_charges: NonNegativeFloat | None
    total_charges: NonNegativeFloat | None
    contract: str | None
    payment_method: str | None
    support_tickets: NonNegativeInt | None
    region: str | None
    has_addon: Annotated[int, Field(ge=0, le=1)] | None


class Request(BaseModel):
    records: Annotated[list[Row], Field(max_length=2000)]


class Score(BaseModel):
    probability: float
    label: int


class Response(BaseModel):
    predictions: list[Score]


def feeds(rows: list[Row]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name in NUMBERS:
        values = [getattr(r, name) for r in rows]
        out[name] = np.array([np.nan if v is None else v for v in values],
                             dtype=np.float32).reshape(-1, 1)
    for name in CATEGORIES:
        values = [getattr(r, name) for r in rows]
        out[name] = np.array([MISSING if v is None else v for v in values],
                             dtype=object).reshape(-1, 1)
    return out


api = FastAPI(title="churn (onnx)")


@api.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@api.get("/metadata")
def metadata() -> dict[str, object]:
    return CARD


@api.post("/predict")
def predict(body: Request) -> Response:
    if not body.records:
        return Response(predictions=[])
    scores = SESSION.run(["probabilities"], feeds(body.records))[0][:, 1]
    cut = CARD["threshold"]
    return Response(predictions=[Score(probability=round(float(s), 6), label=int(s >= cut))
                                 for s in scores])
