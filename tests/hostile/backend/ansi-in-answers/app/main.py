"""The FastAPI application; its error answers carry terminal control sequences."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from app.db import init_db
from app.routers import auth, notes

NOISE = "\x1b[2J\x1b[31mERROR\x1b]0;owned\x07\x00\u202e\r\x08"


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    await init_db()
    yield


app = FastAPI(title="Notes API", version="1.0", lifespan=lifespan)
app.include_router(auth.router)
app.include_router(notes.router)


@app.exception_handler(HTTPException)
async def noisy_http_error(_: Request, exc: HTTPException) -> JSONResponse:
    status = 400 if exc.status_code == 409 else exc.status_code  # a duplicate: "bad request"
    return JSONResponse({"detail": f"{NOISE}{exc.detail}{NOISE}"}, status_code=status,
                        headers=exc.headers)


@app.exception_handler(Exception)
async def noisy_crash(_: Request, exc: Exception) -> PlainTextResponse:
    return PlainTextResponse(NOISE * 20, status_code=500)


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
