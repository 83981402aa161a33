"""The model server: GET /health, POST /predict, GET /metadata (see README.md).

Run: uvicorn serve.app:app --port 8000. The artifact's path is $MODEL_PATH (default: model).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException

MODEL_PATH = Path(os.environ.get("MODEL_PATH", "model"))


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    # TODO: load the model from MODEL_PATH here, once, before the first request
    yield


app = FastAPI(title="churn model", lifespan=lifespan)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/metadata")
def metadata() -> dict[str, object]:
    raise HTTPException(status_code=501, detail="not implemented yet")


@app.post("/predict")
def predict() -> dict[str, object]:
    raise HTTPException(status_code=501, detail="not implemented yet")
