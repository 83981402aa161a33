"""HTTP API for the LightGBM churn model.

    MODEL_PATH=model uvicorn serve.app:app --port 8000

The booster and its schema are loaded once, when the app starts (lifespan); /health answers 503
until then. Records are validated by pydantic: a missing field or a wrong type is a 422.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import lightgbm as lgb
import pandas as pd
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, Field

MAX_BATCH = 10_000


class Customer(BaseModel):
    """One customer as the CRM exports it; None means unknown. Other keys are ignored."""

    model_config = ConfigDict(extra="ignore")

    tenure_months: float | None = Field(ge=0)
    monthly_charges: float | None = Field(ge=0)
    total_charges: float | None = Field(ge=0)
    contract: str | None
    payment_method: str | None
    support_tickets: float | None = Field(ge=0)
    region: str | None
    has_addon: int | None = Field(ge=0, le=1)


class Batch(BaseModel):
    records: list[Customer] = Field(max_length=MAX_BATCH)


class Model:
    def __init__(self, folder: Path) -> None:
        self.schema: dict[str, Any] = json.loads((folder / "schema.json").read_text())
        self.booster = lgb.Booster(model_file=str(folder / "booster.txt"))
        self.threshold = float(self.schema["threshold"])

    def frame(self, customers: list[Customer]) -> pd.DataFrame:
        rows = pd.DataFrame([c.model_dump() for c in customers])
        frame = rows[self.schema["numeric"]].astype("float64")
        for column, levels in self.schema["categorical"].items():
            known = rows[column].where(rows[column].isin(levels))  # unseen -> missing
            frame[column] = pd.Categorical(known, categories=levels)
        return frame

    def predict(self, customers: list[Customer]) -> list[dict[str, float | int]]:
        scores = self.booster.predict(self.frame(customers))
        return [{"probability": round(float(s), 6), "label": int(s >= self.threshold)}
                for s in scores]


state: dict[str, Model] = {}


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    state["model"] = Model(Path(os.environ.get("MODEL_PATH", "model")))
    yield
    state.clear()


app = FastAPI(title="churn scoring (LightGBM)", lifespan=lifespan)


def current() -> Model:
    if "model" not in state:
        raise HTTPException(status_code=503, detail="model not loaded")
    return state["model"]


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "model_version": current().schema["model_version"]}


@app.get("/metadata")
def metadata() -> dict[str, Any]:
    schema = current().schema
    return {key: schema[key] for key in ("model_version", "features", "threshold",
                                         "validation_auc")}


@app.post("/predict")
def predict(batch: Batch) -> dict[str, list[dict[str, float | int]]]:
    if not batch.records:
        return {"predictions": []}
    return {"predictions": current().predict(batch.records)}
