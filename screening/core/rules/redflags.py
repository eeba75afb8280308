"""Rule 4: red flags computable from the row itself."""

from __future__ import annotations

from collections.abc import Iterator

from screening.core.countries import country_name
from screening.core.rules.base import Flag, Rule, Verdict
from screening.core.rules.context import RuleContext
from screening.core.shipments import ShipmentRow

MISMATCH_CLAIMS = (
    "fincen-bis-2022-06-28-fin-2022-alert003",
    "uk-otsi-2025-01-07-high-risk-jurisdictions",
)
ADDRESS_CLAIMS = (
    "fincen-bis-2023-11-06-fin-2023-globalexport",
    "bis-2024-08-23-addresses-procurement-fdp",
    "uk-otsi-2025-01-07-high-risk-jurisdictions",
)


def _same(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


def check_country_mismatch(row: ShipmentRow, ctx: RuleContext) -> Iterator[Flag]:
    destination = row.destination_country
    if not destination:
        return
    for party in row.parties:
        if party.role != "consignee" or not party.country or party.country == destination:
            continue
        risky = ctx.countries.get(destination) or ctx.countries.get(party.country)
        yield Flag(
            code="RED_CONSIGNEE_COUNTRY_MISMATCH",
            rule=MISMATCH_RULE.id,
            severity=Verdict.MEDIUM if risky else Verdict.LOW,
            message=(
                f"Consignee '{party.name}' is in {country_name(party.country)} but the goods "
                f"are declared for {country_name(destination)}."
            ),
            citations=ctx.claims.cite(MISMATCH_CLAIMS),
            role="consignee",
            party_name=party.name,
            details={"consignee_country": party.country, "destination": destination},
        )


def check_end_user_across_hub(row: ShipmentRow, ctx: RuleContext) -> Iterator[Flag]:
    consignees = [p for p in row.parties if p.role == "consignee"]
    for end_user in (p for p in row.parties if p.role == "end_user"):
        for consignee in consignees:
            if _same(end_user.name, consignee.name):
                continue
            if not consignee.country or ctx.risk(consignee.country, "diversion_hub") is None:
                continue
            if end_user.country == consignee.country:
                continue
            where = country_name(end_user.country) if end_user.country else "an undeclared country"
            yield Flag(
                code="RED_END_USER_ACROSS_HUB",
                rule=ACROSS_HUB_RULE.id,
                severity=Verdict.MEDIUM,
                message=(
                    f"End user '{end_user.name}' ({where}) differs from consignee "
                    f"'{consignee.name}' in {country_name(consignee.country)}, a diversion hub."
                ),
                citations=ctx.claims.cite(MISMATCH_CLAIMS),
                role="end_user",
                party_name=end_user.name,
                details={"consignee": consignee.name, "hub": consignee.country},
            )


def check_listed_address(row: ShipmentRow, ctx: RuleContext) -> Iterator[Flag]:
    for party in row.parties:
        if not party.address:
            continue
        for hit in ctx.parties.by_address(party.address):
            yield Flag(
                code="RED_LISTED_ADDRESS",
                rule=ADDRESS_RULE.id,
                severity=Verdict.HIGH,
                message=(
                    f"The address of {party.role.replace('_', ' ')} '{party.name}' is the "
                    f"address of listed entry {hit.entity_id} '{hit.name}': {hit.address}."
                ),
                citations=ctx.claims.cite(ADDRESS_CLAIMS),
                role=party.role,
                party_name=party.name,
                entity_id=hit.entity_id,
                matched_name=hit.name,
                list_source=hit.source,
                details={"address": hit.address},
            )


MISMATCH_RULE = Rule(
    id="redflag.consignee_country_mismatch",
    title="Consignee country differs from destination",
    description="The consignee's country is not the declared destination (rerouting red flag).",
    codes=("RED_CONSIGNEE_COUNTRY_MISMATCH",),
    claims=MISMATCH_CLAIMS,
    check=check_country_mismatch,
)

ACROSS_HUB_RULE = Rule(
    id="redflag.end_user_across_hub",
    title="End user differs from consignee across a hub",
    description="A named end user elsewhere stands behind a consignee in a diversion hub.",
    codes=("RED_END_USER_ACROSS_HUB",),
    claims=MISMATCH_CLAIMS,
    check=check_end_user_across_hub,
)

ADDRESS_RULE = Rule(
    id="redflag.listed_address",
    title="Address of a listed party",
    description="A party's address equals the address of a listed entry (after normalisation).",
    codes=("RED_LISTED_ADDRESS",),
    claims=ADDRESS_CLAIMS,
    check=check_listed_address,
)
