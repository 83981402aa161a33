"""Notes API: Flask application factory, JSON errors everywhere."""

import os
from pathlib import Path

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from app import auth, db, notes


def create_app(data_dir: str | None = None) -> Flask:
    app = Flask(__name__)
    folder = Path(data_dir or os.environ.get("DATA_DIR", "data"))
    folder.mkdir(parents=True, exist_ok=True)
    app.config.update(DATABASE=str(folder / "notes.db"), MAX_CONTENT_LENGTH=1024 * 1024)
    db.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(notes.bp)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        return jsonify(error=exc.name, detail=exc.description), exc.code

    return app
