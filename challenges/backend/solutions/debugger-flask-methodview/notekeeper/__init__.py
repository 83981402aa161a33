"""NoteKeeper: a small notes API on Flask class-based views and SQLite.

Run it with `flask --app notekeeper run --debug` (auto-reload while developing).
"""

import os
from pathlib import Path

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from notekeeper.store import Store
from notekeeper.views import register_views


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    data_dir = Path(os.environ.get("DATA_DIR", "data"))
    app.config.from_mapping(
        DATABASE=str(data_dir / "notekeeper.sqlite3"),
        MAX_CONTENT_LENGTH=512 * 1024,
        TOKEN_TTL_DEFAULT=3600,
    )
    if config:
        app.config.update(config)
    Path(app.config["DATABASE"]).parent.mkdir(parents=True, exist_ok=True)
    store = Store(app.config["DATABASE"])
    store.create_schema()
    app.extensions["store"] = store
    register_views(app)

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @app.errorhandler(HTTPException)
    def json_errors(exc: HTTPException):
        return jsonify(error=exc.description or exc.name), exc.code

    return app
