"""Notes API -- FastAPI + SQLModel (async, aiosqlite).

Structure:
    app/config.py    settings from the environment (DATA_DIR, JWT secret)
    app/database.py  async engine + session dependency, tables created on start-up
    app/models.py    SQLModel tables and request/response schemas
    app/security.py  bcrypt password hashing, signed JWT access tokens
    app/routers/     /auth and /notes endpoints
"""
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.database import create_db_and_tables
from app.routers import auth, notes


@asynccontextmanager
async def lifespan(app: FastAPI):
    await create_db_and_tables()
    yield


app = FastAPI(title="Notes API", lifespan=lifespan)


@app.exception_handler(RequestValidationError)
async def validation_error_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    # same shape as FastAPI's default, minus the echoed input (could be megabytes)
    errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    return JSONResponse({"detail": errors}, status_code=422)


app.include_router(auth.router)
app.include_router(notes.router)


@app.get("/health", tags=["meta"])
async def health() -> dict[str, str]:
    return {"status": "ok"}
