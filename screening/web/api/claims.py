"""GET /api/v1/claims: the registry of public claims that motivate the rules."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint, Page

from screening.core.claims import load_claims
from screening.services.screening import claim_dict
from screening.web.api.schemas import ClaimQuerySchema, ClaimSchema
from screening.web.auth import api_auth
from screening.web.extensions import services

blp = Blueprint(
    "claims",
    __name__,
    url_prefix="/api/v1/claims",
    description="Public claims (who said it, when, where, quote, link).",
)


@blp.route("", methods=["GET"])
@api_auth("read")
@blp.arguments(ClaimQuerySchema, location="query")
@blp.response(200, ClaimSchema(many=True))
@blp.paginate(Page)
def list_claims(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Claims, optionally filtered by free text `q` or by `tag` (e.g. `route:HK-RU`); paginated."""
    return search_claims(query.get("q"), query.get("tag"))


def search_claims(text: str | None, tag: str | None) -> list[dict[str, Any]]:
    """Built-in and configured (``SCREENING_CLAIMS_FILE``) claims matching ``text`` and ``tag``."""
    found = []
    needle = (text or "").casefold()
    for claim in load_claims(services().settings.claims_file):
        item = claim_dict(claim)
        if tag and tag not in claim.tags:
            continue
        haystack = " ".join(str(v) for v in item.values()).casefold()
        if needle and needle not in haystack:
            continue
        found.append(item)
    return found
