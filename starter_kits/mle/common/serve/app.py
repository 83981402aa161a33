"""The model server: GET /health, POST /predict, GET /metadata (see README.md).

Run: uvicorn serve.app:app --port 8000. The artifact's path is $MODEL_PATH (default: model).
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, HTTPException

MODEL_PATH = Path(os.environ.get("MODEL_PATH", "model"))

app = FastAPI(title="churn model")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/metadata")
def metadata() -> dict[str, object]:
    raise HTTPException(status_code=501, detail="not implemented yet")


@app.post("/predict")
def predict() -> dict[str, object]:
    raise HTTPException(status_code=501, detail="not implemented yet")
