"""Model server: /health, /predict, /metadata."""

import json
import os
from pathlib import Path

import pandas as pd
import skops.io as sio
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

FOLDER = Path(os.environ.get("MODEL_PATH", "model"))
model = sio.load(FOLDER / "model.skops", trusted=sio.get_untrusted_types(
    file=FOLDER / "model.skops"))
meta = json.loads((FOLDER / "meta.json").read_text())

app = FastAPI()


class Batch(BaseModel):
    records: list[dict]


@app.get("/health")
def health():
    return {"ok": True}


@app.get("/metadata")
def metadata():
    return {"model_version": meta["version"], "features": meta["features"]}


@app.post("/predict")
def predict(batch: Batch):
    if not batch.records:
        return {"predictions": []}
    frame = pd.DataFrame(batch.records)
    missing = [f for f in meta["features"] if f not in frame.columns]
    if missing:
        raise HTTPException(422, f"missing fields: {missing}")
    probs = model.predict_proba(frame[meta["features"]])[:, 1]
    return {"predictions": [{"probability": float(p), "label": int(p >= 0.5)} for p in probs]}
