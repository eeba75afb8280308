"""Every error, 4xx or 5xx, as one problem-details JSON shape (RFC 9457), never a stack trace."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from screening.errors import ScreeningError

log = logging.getLogger(__name__)


def wants_html() -> bool:
    """UI pages get an HTML error page; the API, health probes and JSON clients get problem JSON."""
    if request.path.startswith(("/api/", "/healthz", "/readyz")):
        return False
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "text/html"


def problem(status: int, detail: str, *, title: str | None = None, **extra: Any) -> Response:
    if wants_html():
        html = render_template(
            "error.html", title=title or HTTPStatus(status).phrase, message=detail
        )
        return Response(html, status=status, mimetype="text/html")
    body = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
        **extra,
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def register(app: Flask) -> None:
    @app.errorhandler(ScreeningError)
    def _screening_error(exc: ScreeningError) -> Response:
        status = type(exc).status
        if status >= 500:
            log.error("%s: %s", type(exc).__name__, exc.message)
        return problem(status, exc.message, title=type(exc).title)

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError) -> Response:
        return problem(422, "The request body is not valid.", errors=exc.messages)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        extra: dict[str, Any] = {}
        data = getattr(exc, "data", None)  # flask-smorest / webargs validation messages
        if isinstance(data, dict) and "messages" in data:
            extra["errors"] = data["messages"]
        return problem(status, exc.description or HTTPStatus(status).phrase, **extra)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem(500, "An unexpected error occurred; it has been logged.")
