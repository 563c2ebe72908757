"""Error pages and JSON error bodies: ``{"error": {"code", "message", "details"}}`` under /api."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "unprocessable", 429: "too_many_requests",
         500: "internal_error", 503: "unavailable"}


class BadParameter(Exception):
    """A request parameter is missing or malformed: becomes a 400 with a clear message."""

    def __init__(self, message: str, *, param: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.details = details if details is not None else ({"param": param} if param else None)


class NotAvailable(Exception):
    """A feature whose service (another module) is not installed yet: 503 with its name."""

    def __init__(self, feature: str) -> None:
        super().__init__(f"{feature} is not available yet")
        self.feature = feature


def api_error(status: int, code: str | None, message: str, details: Any = None) -> Any:
    """A JSON error response with the project's error body."""
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message, "details": details}}
    return jsonify(body), status


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _page(status: int, message: str) -> Any:
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    """Register handlers for HTTP errors, bad parameters, CSRF and unexpected exceptions."""

    @app.errorhandler(BadParameter)
    def _bad_param(exc: BadParameter) -> Any:
        if _is_api():
            return api_error(400, "bad_request", exc.message, exc.details)
        return _page(400, exc.message)

    @app.errorhandler(NotAvailable)
    def _not_available(exc: NotAvailable) -> Any:
        if _is_api():
            return api_error(503, "unavailable", str(exc), {"feature": exc.feature})
        return _page(503, str(exc))

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Any:
        message = f"CSRF check failed: {exc.description}"
        if _is_api():
            return api_error(400, "csrf_failed", message + " (send X-CSRFToken or use a bearer token)")
        return _page(400, message)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        status = exc.code or 500
        message = exc.description or exc.name
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            message = f"upload too large: the limit is {limit} bytes"
        if _is_api():
            response, code = api_error(status, None, message)
            if status == 405 and getattr(exc, "valid_methods", None):
                response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
            return response, code
        return _page(status, message)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if _is_api():
            return api_error(500, "internal_error", "internal error; the details are in the server log")
        return _page(500, "internal error; the details are in the server log")
