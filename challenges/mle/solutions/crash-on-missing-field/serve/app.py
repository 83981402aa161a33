"""The model server: GET /health, POST /predict, GET /metadata.

Run: uvicorn serve.app:app --port 8000. The artifact's folder is $MODEL_PATH (default: model).
The model is loaded once at start-up with skops, trusting only the types listed below.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import skops.io as sio
from fastapi import Body, FastAPI

MODEL_PATH = Path(os.environ.get("MODEL_PATH", "model"))
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


app = FastAPI(title="churn model")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "model_version": str(METADATA["model_version"])}


@app.get("/metadata")
def metadata() -> dict[str, object]:
    return METADATA


@app.post("/predict")
def predict(payload: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    records = payload["records"]
    if not records:
        return {"predictions": []}
    frame = pd.DataFrame(records)[FEATURES]
    probabilities = MODEL.predict_proba(frame)[:, 1]  # type: ignore[attr-defined]
    return {"predictions": [{"probability": round(float(p), 6), "label": int(p >= THRESHOLD)}
                            for p in probabilities]}
