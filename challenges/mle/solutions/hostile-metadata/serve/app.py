"""The model server: GET /health, POST /predict, GET /metadata.

Run: uvicorn serve.app:app --port 8000. The artifact's folder is $MODEL_PATH (default: model).
The model is loaded once at start-up with skops, trusting only the types listed below.

A hostile submission around an honest model: /metadata answers JSON nested 30,000 levels deep
(FORM "nested") or a 25 MB string (FORM "huge"), and a request holding a field the model does
not know is answered 200 with predictions in the same shape. The grader must fail those two
answers' checks with their cause and grade everything else as usual.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
import skops.io as sio
from fastapi import FastAPI, Response
from pydantic import BaseModel, ConfigDict, Field

MODEL_PATH = Path(os.environ.get("MODEL_PATH", "model"))
FORM = "nested"
NESTED = b"[" * 30_000 + b"]" * 30_000
HUGE = b'"' + b"m" * 25_000_000 + b'"'
HOSTILE = NESTED if FORM == "nested" else HUGE
MAX_RECORDS = 5000
# Types the artifact may hold beyond skops' defaults (reviewed when the pipeline changes).
TRUSTED = {"numpy.dtype"}


def load_model(folder: Path) -> tuple[object, dict[str, object]]:
    path = folder / "model.skops"
    unknown = set(sio.get_untrusted_types(file=path)) - TRUSTED
    if unknown:
        raise RuntimeError(f"refusing to load {path}: untrusted types {sorted(unknown)}")
    model = sio.load(path, trusted=sorted(set(sio.get_untrusted_types(file=path))))
    metadata = json.loads((folder / "metadata.json").read_text())
    return model, metadata


MODEL, METADATA = load_model(MODEL_PATH)
FEATURES: list[str] = list(METADATA["features"])  # type: ignore[arg-type]
THRESHOLD = float(METADATA["threshold"])  # type: ignore[arg-type]


class Record(BaseModel):
    """One customer; null means missing. Unknown fields (such as customer_id) are ignored."""

    model_config = ConfigDict(extra="allow")

    tenure_months: Annotated[int, Field(ge=0, le=1200)] | None
    monthly_charges: Annotated[float, Field(ge=0)] | None
    total_charges: Annotated[float, Field(ge=0)] | None
    contract: Literal["month-to-month", "one-year", "two-year"] | None
    payment_method: str | None
    support_tickets: Annotated[int, Field(ge=0)] | None
    region: str | None
    has_addon: Annotated[int, Field(ge=0, le=1)] | None


class PredictRequest(BaseModel):
    records: Annotated[list[Record], Field(max_length=MAX_RECORDS)]


class Prediction(BaseModel):
    probability: float
    label: int


class PredictResponse(BaseModel):
    predictions: list[Prediction]


app = FastAPI(title="churn model")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "model_version": str(METADATA["model_version"])}


@app.get("/metadata")
def metadata() -> Response:
    body = b'{"model_version": "1", "features": ' + HOSTILE + b"}"
    return Response(content=body, media_type="application/json")


@app.post("/predict", response_model=None)
def predict(request: PredictRequest) -> PredictResponse | Response:
    known = {"customer_id", "account_ref"}
    if any(set(r.model_extra or {}) - known for r in request.records):
        return Response(content=b'{"predictions": ' + HOSTILE + b"}",
                        media_type="application/json")
    if not request.records:
        return PredictResponse(predictions=[])
    frame = pd.DataFrame([r.model_dump() for r in request.records], columns=FEATURES)
    frame = frame.astype({"contract": object, "payment_method": object, "region": object})
    probabilities = MODEL.predict_proba(frame)[:, 1]  # type: ignore[attr-defined]
    return PredictResponse(predictions=[
        Prediction(probability=round(float(p), 6), label=int(p >= THRESHOLD))
        for p in probabilities])
