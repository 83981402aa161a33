"""Notes API built with Litestar.

Controllers for auth and notes, msgspec schemas for validation, plain sqlite3 for storage
($DATA_DIR/notes.db, created on start-up) and opaque bearer tokens that expire. Run with
`uvicorn notes_service.app:app`.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware

from notes_service import db
from notes_service.controllers import AuthController, NoteController, health
from notes_service.security import BearerTokenMiddleware

MAX_REQUEST_BYTES = 1024 * 1024


def create_app() -> Litestar:
    return Litestar(
        route_handlers=[health, AuthController, NoteController],
        dependencies={"conn": Provide(db.provide_connection, sync_to_thread=True)},
        middleware=[DefineMiddleware(BearerTokenMiddleware, exclude=["/schema"])],
        on_startup=[db.create_schema],
        request_max_body_size=MAX_REQUEST_BYTES,
    )


app = create_app()
