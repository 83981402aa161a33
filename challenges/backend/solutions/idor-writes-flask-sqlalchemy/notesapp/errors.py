from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException


class ValidationError(Exception):
    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message = message
        self.status = status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ValidationError)
    def _validation(err: ValidationError):
        return jsonify(error="validation_error", message=err.message), err.status

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        return jsonify(error=err.name, message=err.description), err.code
