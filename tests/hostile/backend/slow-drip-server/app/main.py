"""The FastAPI application, behind a middleware that sends every answer a byte a second."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

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


class Drip:
    """Sends each response body one byte at a time, a second apart."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] == "/health":
            await self.inner(scope, receive, send)
            return

        async def dripping(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"content-length"]
                await send({**message, "headers": headers})
                return
            if message["type"] == "http.response.body":
                body = message.get("body", b"")
                for i in range(len(body)):
                    await send({"type": "http.response.body", "body": body[i:i + 1],
                                "more_body": True})
                    await asyncio.sleep(1)
                if not message.get("more_body"):
                    await send({"type": "http.response.body", "body": b"",
                                "more_body": False})
                return
            await send(message)

        await self.inner(scope, receive, dripping)


app = Drip(app)  # type: ignore[assignment]
