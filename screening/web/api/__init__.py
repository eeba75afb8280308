"""The JSON API for ERP systems: flask-smorest blueprints under /api/v1, OpenAPI at /api/openapi.json."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api

from screening.web.api import claims, decisions, lists, parties, screenings
from screening.web.api.schemas import ProblemSchema

BLUEPRINTS = (parties.blp, screenings.blp, lists.blp, decisions.blp, claims.blp)
PROBLEM = "application/problem+json"


class ScreeningApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, documenting errors as the problem details we actually send."""

    ERROR_SCHEMA = ProblemSchema


def init_app(app: Flask) -> Api:
    app.config.update(
        API_TITLE="Sanctions and export-control screening",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
        API_SPEC_OPTIONS=_spec_options(),
    )
    api = ScreeningApi(app)
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key created with `screening api-keys create`.",
        },
    )
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    for response in api.spec.components.responses.values():
        content = response.get("content", {})
        if "application/json" in content:
            content[PROBLEM] = content.pop("application/json")
    return api


def _spec_options() -> dict[str, Any]:
    return {
        "security": [{"bearerAuth": []}],
        "info": {
            "description": (
                "Screen parties and shipments against official sanctions and export-control "
                "lists. Every error is an RFC 9457 problem-details object "
                "(`application/problem+json`)."
            ),
        },
    }
