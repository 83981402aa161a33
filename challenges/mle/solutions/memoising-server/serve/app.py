"""The model server: GET /health, POST /predict, GET /metadata.

Run: uvicorn serve.app:app --port 8000. The artifact's folder is $MODEL_PATH (default: model).
The model is loaded once at start-up with skops, trusting only the types listed below.

Each prediction comes with reason codes: the features that move it most when blanked out or
shifted by 10%. Computing them re-runs the forest about twenty times, so answers are cached
per customer record (an LRU keyed by the record's hash): a customer asked about again is
answered from memory.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import OrderedDict
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
import skops.io as sio
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

MODEL_PATH = Path(os.environ.get("MODEL_PATH", "model"))
MAX_RECORDS = 5000
CACHE_SIZE = 50_000
# Types the artifact may hold beyond skops' defaults (reviewed when the pipeline changes).
TRUSTED = {"numpy.dtype", "sklearn.tree._tree.Tree"}


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
    reasons: list[str]


class PredictResponse(BaseModel):
    predictions: list[Prediction]


app = FastAPI(title="churn model")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "model_version": str(METADATA["model_version"])}


@app.get("/metadata")
def metadata() -> dict[str, object]:
    return METADATA


CACHE: OrderedDict[str, Prediction] = OrderedDict()


def record_key(record: Record) -> str:
    return hashlib.sha256(json.dumps(record.model_dump(), sort_keys=True).encode()).hexdigest()


def explain(frame: pd.DataFrame) -> list[Prediction]:
    """Probabilities and, for each, the three features whose change moves it most."""
    base = MODEL.predict_proba(frame)[:, 1]  # type: ignore[attr-defined]
    moves = pd.DataFrame(0.0, index=frame.index, columns=FEATURES)
    for feature in FEATURES:
        variants = [frame.copy()]
        variants[0][feature] = None
        if pd.api.types.is_numeric_dtype(frame[feature]):
            for factor in (0.9, 1.1):
                shifted = frame.copy()
                shifted[feature] = frame[feature] * factor
                variants.append(shifted)
        for variant in variants:
            moved = abs(MODEL.predict_proba(variant)[:, 1] - base)  # type: ignore[attr-defined]
            moves[feature] = moves[feature].combine(pd.Series(moved, index=frame.index), max)
    reasons = moves.apply(lambda row: list(row.nlargest(3).index), axis=1)
    return [Prediction(probability=round(float(p), 6), label=int(p >= THRESHOLD),
                       reasons=list(r)) for p, r in zip(base, reasons, strict=True)]


@app.post("/predict")
def predict(request: PredictRequest) -> PredictResponse:
    if not request.records:
        return PredictResponse(predictions=[])
    keys = [record_key(r) for r in request.records]
    missing = {k: r for k, r in zip(keys, request.records, strict=True) if k not in CACHE}
    if missing:
        frame = pd.DataFrame([r.model_dump() for r in missing.values()], columns=FEATURES)
        frame = frame.astype({"contract": object, "payment_method": object, "region": object})
        for key, prediction in zip(missing, explain(frame), strict=True):
            CACHE[key] = prediction
    answer = []
    for key in keys:
        CACHE.move_to_end(key)
        answer.append(CACHE[key])
    while len(CACHE) > CACHE_SIZE:
        CACHE.popitem(last=False)
    return PredictResponse(predictions=answer)
