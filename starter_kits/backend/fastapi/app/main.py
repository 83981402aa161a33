"""The Notes API. Start here: see ../README.md and ../openapi.yaml for the contract."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.db import init_db


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    init_db()
    yield


app = FastAPI(title="Notes API", lifespan=lifespan)


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


# TODO: POST /auth/register, POST /auth/token
# TODO: POST /notes, GET /notes, GET/PUT/DELETE /notes/{note_id}
