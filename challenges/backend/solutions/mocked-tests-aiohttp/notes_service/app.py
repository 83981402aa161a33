import os
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from notes_service.auth import require_user
from notes_service.handlers import routes
from notes_service.repository import REPO, NoteRepository


def create_app(repository: NoteRepository | None = None) -> web.Application:
    app = web.Application(middlewares=[require_user], client_max_size=1024 * 1024)
    app[REPO] = repository or NoteRepository(
        Path(os.environ.get("DATA_DIR", "data")) / "notes.sqlite3")
    app.add_routes(routes)
    app.cleanup_ctx.append(_database)
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    repo = app[REPO]
    await repo.open()
    yield
    await repo.close()
