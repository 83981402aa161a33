"""Notes API: Flask + Flask-RESTX, SQLite through Flask-SQLAlchemy."""

from typing import Any

from flask import Flask
from flask_restx import Api

from notes_api.config import Config
from notes_api.models import db
from notes_api.resources.auth import ns as auth_ns
from notes_api.resources.health import ns as health_ns
from notes_api.resources.notes import ns as notes_ns


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_object(Config)
    app.config.update(overrides or {})
    db.init_app(app)

    api = Api(app, title="Notes API", version="1.0", doc="/docs",
              authorizations={"bearer": {"type": "apiKey", "in": "header",
                                         "name": "Authorization"}})
    api.add_namespace(health_ns, path="/health")
    api.add_namespace(auth_ns, path="/auth")
    api.add_namespace(notes_ns, path="/notes")

    with app.app_context():
        db.create_all()
    return app
