"""POST /api/v1/decisions: a reviewer confirms or dismisses a hit."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from screening.services import runs
from screening.web.api.schemas import DecisionRequestSchema, DecisionSchema
from screening.web.auth import api_auth, current_principal
from screening.web.extensions import services

blp = Blueprint(
    "decisions", __name__, url_prefix="/api/v1/decisions", description="Review decisions on hits."
)


@blp.route("", methods=["POST"])
@api_auth("review")
@blp.arguments(DecisionRequestSchema)
@blp.response(201, DecisionSchema)
def decide(body: dict[str, Any]) -> dict[str, Any]:
    """Record `true_match` or `false_positive` (with a reason) for a hit.

    A dismissed (party, list entry) pair is suppressed in later runs until that list entry
    changes in a new list version; then it re-opens, marked as re-opened.
    """
    principal = current_principal()
    return runs.decide(
        services().db,
        hit_id=body["hit_id"],
        decision=body["decision"],
        reason=body["reason"],
        actor=principal.name if principal else "unknown",
    )
