"""notesapp -- a small notes REST API (Flask + Flask-SQLAlchemy + SQLite).

create_app() wires everything up:
  * SQLite database at $DATA_DIR/notes.db (tables created on start-up)
  * /auth blueprint: register + bearer tokens (random, stored hashed, with expiry)
  * /notes blueprint: CRUD + pagination for the logged-in user's notes
  * JSON error responses for every HTTP error

Production: gunicorn "notesapp:create_app()"
"""
import os

from flask import Flask, jsonify

from notesapp.errors import register_error_handlers
from notesapp.extensions import db


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)

    data_dir = os.path.abspath(os.environ.get("DATA_DIR", "data"))
    os.makedirs(data_dir, exist_ok=True)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{os.path.join(data_dir, 'notes.db')}",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 30}},
        MAX_CONTENT_LENGTH=1 * 1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    if config:
        app.config.update(config)

    db.init_app(app)

    from notesapp.auth import bp as auth_bp
    from notesapp.notes import bp as notes_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(notes_bp)
    register_error_handlers(app)

    @app.get("/health")
    def health():
        return jsonify(status="ok")

    with app.app_context():
        db.create_all()

    return app
