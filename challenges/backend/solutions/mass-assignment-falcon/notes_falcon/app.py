"""The WSGI app: gunicorn notes_falcon.app:app"""

import falcon

from notes_falcon.db import make_sessionmaker
from notes_falcon.resources import Health, NoteCollection, NoteItem, Register, TokenResource

MAX_ID = 2**63 - 1


def create_app(database_url: str | None = None) -> falcon.App:
    sessions = make_sessionmaker(database_url)
    app = falcon.App()
    app.req_options.strip_url_path_trailing_slash = True
    app.add_route("/health", Health())
    app.add_route("/auth/register", Register(sessions))
    app.add_route("/auth/token", TokenResource(sessions))
    app.add_route("/notes", NoteCollection(sessions))
    app.add_route(f"/notes/{{note_id:int(min=1, max={MAX_ID})}}", NoteItem(sessions))
    return app


app = create_app()
