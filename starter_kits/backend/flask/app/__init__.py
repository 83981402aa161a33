"""The Notes API. Start here: see ../README.md and ../openapi.yaml for the contract."""

import os
import sqlite3
from pathlib import Path

from flask import Flask, current_app, g


def get_db() -> sqlite3.Connection:
    """One SQLite connection per request, to the file in $DATA_DIR."""
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"], timeout=30)
        g.db.row_factory = sqlite3.Row
    return g.db


def create_app(data_dir: str | None = None) -> Flask:
    app = Flask(__name__)
    folder = Path(data_dir or os.environ.get("DATA_DIR", "data"))
    folder.mkdir(parents=True, exist_ok=True)
    app.config["DATABASE"] = str(folder / "notes.db")

    @app.teardown_appcontext
    def close_db(_exc: BaseException | None) -> None:
        db = g.pop("db", None)
        if db is not None:
            db.close()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    # TODO: POST /auth/register, POST /auth/token
    # TODO: POST /notes, GET /notes, GET/PUT/DELETE /notes/<id>
    return app
