"""Starlette application: `uvicorn notebook_api.main:app`."""

from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from notebook_api.accounts import Login, Register
from notebook_api.errors import http_error
from notebook_api.models import Database
from notebook_api.notes import NoteCollection, NoteItem


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app(database_url: str | None = None) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette):
        app.state.db = Database(database_url)
        await app.state.db.create_tables()
        yield
        await app.state.db.engine.dispose()

    return Starlette(
        routes=[
            Route("/health", health),
            Route("/auth/register", Register),
            Route("/auth/token", Login),
            Route("/notes", NoteCollection),
            Route("/notes/{note_id}", NoteItem),
        ],
        exception_handlers={HTTPException: http_error},
        lifespan=lifespan,
    )


app = create_app()
