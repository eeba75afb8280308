"""GET /api/v1/lists: each source's active version, counts and last update."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from screening.services import lists as service
from screening.web.api.schemas import ListStatusSchema
from screening.web.auth import api_auth
from screening.web.extensions import services

blp = Blueprint(
    "lists",
    __name__,
    url_prefix="/api/v1/lists",
    description="Official lists loaded, with versions.",
)


@blp.route("", methods=["GET"])
@api_auth("read")
@blp.response(200, ListStatusSchema(many=True))
def list_sources() -> list[dict[str, Any]]:
    """Every known source: active version (id, as-of date, sha256, counts), last diff and last update attempt."""
    return service.status(services().db)
