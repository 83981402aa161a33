"""The FastAPI application: routers, health check, database set-up at startup."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.db import init_db
from app.routers import auth, notes


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    await init_db()
    yield


app = FastAPI(title="Notes API", version="1.0", lifespan=lifespan)
app.include_router(auth.router)
app.include_router(notes.router)


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
