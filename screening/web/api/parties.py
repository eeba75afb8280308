"""POST /api/v1/parties/screen: screen party names against the active lists."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from screening.core.matching import ALGORITHM_VERSION
from screening.services.parties import query_from_dict, screen_parties
from screening.services.screening import match_policy
from screening.web.api.schemas import PartyScreenRequestSchema, PartyScreenResponseSchema
from screening.web.auth import api_auth
from screening.web.extensions import services

blp = Blueprint(
    "parties",
    __name__,
    url_prefix="/api/v1/parties",
    description="Screen party names (persons, organisations, vessels, aircraft).",
)


@blp.route("/screen", methods=["POST"])
@api_auth("screen")
@blp.arguments(PartyScreenRequestSchema)
@blp.response(200, PartyScreenResponseSchema)
def screen(body: dict[str, Any]) -> dict[str, Any]:
    """Screen up to 1,000 parties; each result lists its hits, best first, with explanations.

    Example: `{"parties": [{"qid": "1", "name": "Sberbank of Russia", "schema": "Organization",
    "country": "RU"}]}`. Hits at or above the review threshold are returned (or `threshold`);
    `alert` is true at or above the alert threshold.
    """
    app = services()
    index = app.index.get()
    policy = match_policy(app.settings)
    queries = [query_from_dict(p, n) for n, p in enumerate(body["parties"], start=1)]
    results = screen_parties(
        index,
        queries,
        policy,
        threshold=body.get("threshold"),
        sources=set(body["sources"]) or None,
    )
    return {
        "results": results,
        "list_versions": [v.to_dict() for v in index.versions],
        "algorithm": ALGORITHM_VERSION,
        "thresholds": {"alert": policy.alert, "review": policy.review},
    }
