"""Rule 1: every party role of a shipment screened against the party lists."""

from __future__ import annotations

from collections.abc import Iterator

from screening.core.rules.base import Flag, Rule, Verdict
from screening.core.rules.context import PartyHit, RuleContext
from screening.core.shipments import ShipmentRow

ROLE_LABELS = {
    "exporter": "Exporter",
    "consignee": "Consignee",
    "end_user": "End user",
    "buyer": "Buyer",
    "forwarder": "Freight forwarder",
    "intermediate_consignee": "Intermediate consignee",
    "notify_party": "Notify party",
}

CLAIMS = (
    "ft-2024-09-10-sullivan-backchannel-europe-sanctions",
    "treasury-state-2024-06-12-hong-kong-networks",
    "bis-2024-07-10-trade-integrity-project",
    "g7-2024-06-14-apulia-cease-transfer",
    "eu-council-2024-12-16-15th-package-chinese-entities",
    "uk-fcdo-2024-11-07-machine-tools-ball-bearings",
)


def severity(hit: PartyHit, ctx: RuleContext) -> Verdict:
    """Alert on an asset-freeze or denial list blocks; other alerts hold; review-level hits ask a look."""
    if not hit.alert:
        return Verdict.MEDIUM
    if hit.source in ctx.blocking_sources or (hit.sub_list or "") in ctx.blocking_sub_lists:
        return Verdict.BLOCKED
    return Verdict.HIGH


def check_parties(row: ShipmentRow, ctx: RuleContext) -> Iterator[Flag]:
    claims = ctx.claims.cite(CLAIMS)
    for party in row.parties:
        for hit in ctx.parties.screen(party.name, party.country):
            level = "matches" if hit.alert else "may match"
            programs = f" ({', '.join(hit.programs)})" if hit.programs else ""
            yield Flag(
                code="PARTY_LISTED" if hit.alert else "PARTY_POSSIBLE_MATCH",
                rule=PARTY_RULE.id,
                severity=severity(hit, ctx),
                message=(
                    f"{ROLE_LABELS.get(party.role, party.role)} '{party.name}' {level} "
                    f"{hit.source_title} entry {hit.entity_id} '{hit.matched_name}'{programs}, "
                    f"score {hit.score:.2f}."
                ),
                citations=hit.legal_basis + claims,
                role=party.role,
                party_name=party.name,
                entity_id=hit.entity_id,
                matched_name=hit.matched_name,
                list_source=hit.source,
                programs=hit.programs,
                score=hit.score,
                explanation=hit.explanation,
                details={
                    "features": dict(hit.features),
                    "list_version": hit.list_version,
                    "fingerprint": hit.fingerprint,
                    "sub_list": hit.sub_list,
                    "kind": hit.kind,
                },
            )


PARTY_RULE = Rule(
    id="party.listed",
    title="Listed party",
    description=(
        "Each party (exporter, consignee, end user, buyer, forwarder, intermediate consignee, "
        "notify party) is matched against the active party lists. An alert-level match on an "
        "asset-freeze or denial list blocks the shipment; on other lists (Entity List, MEU, "
        "non-SDN lists) it holds it; a review-level match asks for a look."
    ),
    codes=("PARTY_LISTED", "PARTY_POSSIBLE_MATCH"),
    claims=CLAIMS,
    check=check_parties,
)
