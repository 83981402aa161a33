"""The Quart application: `hypercorn notes_quart.app:app`."""

from quart import Quart, jsonify
from werkzeug.exceptions import HTTPException

from notes_quart import auth, db, notes


def create_app() -> Quart:
    app = Quart(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    app.register_blueprint(auth.bp)
    app.register_blueprint(notes.bp)
    app.teardown_appcontext(db.close)

    @app.before_serving
    async def startup() -> None:
        await db.init_db()

    @app.get("/health")
    async def health():
        return {"status": "ok"}

    @app.errorhandler(HTTPException)
    async def http_error(exc: HTTPException):
        return jsonify(error=exc.description), exc.code

    return app


app = create_app()
