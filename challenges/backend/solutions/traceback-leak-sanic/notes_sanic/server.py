"""The Sanic app: `sanic notes_sanic.server:app`.

Errors always come back as JSON. Unexpected ones carry their type and stack trace, so that
whoever calls the API can paste a useful bug report.
"""

import logging
import traceback

from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.response import json

from notes_sanic.handlers import auth, notes
from notes_sanic.storage import create_schema, database_path, open_db

log = logging.getLogger("notes")


def create_app(name: str = "notes") -> Sanic:
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.ctx.db_path = database_path()
    app.blueprint(auth)
    app.blueprint(notes)

    @app.before_server_start
    async def setup(app, _loop):
        await create_schema(app.ctx.db_path)

    @app.on_request
    async def open_connection(request):
        request.ctx.db = await open_db(request.app.ctx.db_path)

    @app.on_response
    async def close_connection(request, response):
        db = getattr(request.ctx, "db", None)
        if db is not None:
            await db.close()

    @app.get("/health")
    async def health(request):
        return json({"status": "ok"})

    @app.exception(Exception)
    async def json_errors(request, exc):
        if isinstance(exc, SanicException):
            return json({"error": str(exc)}, status=exc.status_code)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return json({
            "error": "internal server error",
            "type": f"{type(exc).__module__}.{type(exc).__qualname__}",
            "detail": str(exc),
            "trace": traceback.format_exception(exc),
        }, status=500)

    return app


app = create_app()
