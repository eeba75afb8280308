"""Rule 5: export-control classifications (ECCN / EU dual-use numbers) on shipment lines."""

from __future__ import annotations

from collections.abc import Iterator

from screening.core.controls import ControlCode, destination_sources, parse_control_code
from screening.core.countries import country_name
from screening.core.rules.base import Citation, Flag, Rule, Verdict
from screening.core.rules.context import RuleContext
from screening.core.shipments import ShipmentRow

LICENCE_CLAIMS = (
    "bis-2024-02-23-common-high-priority-list",
    "ft-2024-09-10-campbell-component-pieces",
    "fincen-bis-2022-06-28-fin-2022-alert003",
)
HUB_CLAIMS = (
    "fincen-bis-2022-06-28-fin-2022-alert003",
    "uk-otsi-2025-01-07-high-risk-jurisdictions",
    "treasury-state-2024-06-12-hong-kong-networks",
)
CONSISTENCY_CLAIMS = (
    "bis-2024-02-23-common-high-priority-list",
    "e5-2023-09-26-high-priority-hs-codes",
)


def _code(row: ShipmentRow) -> ControlCode | None:
    if not row.control_code:
        return None
    try:
        return parse_control_code(row.control_code)
    except ValueError:  # intake reports malformed codes as row errors
        return None


def _regulations(code: ControlCode, country: str) -> tuple[Citation, ...]:
    table = destination_sources()
    sources = [*table.get(country, ()), *table.get("*", ()), *code.sources]
    return tuple(
        Citation(kind="regulation", title=s.title, url=s.url) for s in dict.fromkeys(sources)
    )


def _sanctioned_places(row: ShipmentRow, ctx: RuleContext) -> list[tuple[str, str]]:
    places = []
    if row.destination_country:
        places.append(("destination", row.destination_country))
    for party in row.parties:
        if party.country and party.role in ("end_user", "consignee", "intermediate_consignee"):
            places.append((party.role.replace("_", " "), party.country))
    return [(what, c) for what, c in places if ctx.risk(c, "comprehensive") is not None]


def check_licence_required(row: ShipmentRow, ctx: RuleContext) -> Iterator[Flag]:
    code = _code(row)
    if code is None or not code.listed:
        return
    seen: set[str] = set()
    for what, country in _sanctioned_places(row, ctx):
        if country in seen:
            continue
        seen.add(country)
        yield Flag(
            code="CONTROL_LICENCE_REQUIRED",
            rule=LICENCE_RULE.id,
            severity=Verdict.BLOCKED,
            message=(
                f"Licence required: controlled item {code.label} with the {what} in "
                f"{country_name(country)}, a destination under comprehensive controls."
            ),
            citations=_regulations(code, country) + ctx.claims.cite(LICENCE_CLAIMS),
            details={
                "control_code": code.code,
                "regime": code.regime,
                "country": country,
                "where": what,
            },
        )


def check_controlled_via_hub(row: ShipmentRow, ctx: RuleContext) -> Iterator[Flag]:
    code = _code(row)
    if code is None or not code.listed:
        return
    end_users = [
        p
        for p in row.parties
        if p.role == "end_user" and p.country and ctx.risk(p.country, "comprehensive") is not None
    ]
    if not end_users:
        return
    hubs = [
        p.country
        for p in row.parties
        if p.role in ("consignee", "intermediate_consignee", "forwarder")
        and p.country
        and ctx.risk(p.country, "diversion_hub") is not None
    ]
    hubs += [c for c in row.transshipment_countries if ctx.risk(c, "diversion_hub") is not None]
    if row.destination_country and ctx.risk(row.destination_country, "diversion_hub"):
        hubs.append(row.destination_country)
    if not hubs:
        return
    hub = hubs[0]
    for end_user in end_users:
        country = end_user.country or ""
        yield Flag(
            code="CONTROL_VIA_HUB",
            rule=HUB_RULE.id,
            severity=Verdict.BLOCKED,
            message=(
                f"Controlled item {code.code} routed through {country_name(hub)} to end user "
                f"'{end_user.name}' in {country_name(country)}: licence required for the "
                "end user's country; a diversion pattern named in official alerts."
            ),
            citations=_regulations(code, country) + ctx.claims.cite(HUB_CLAIMS),
            role="end_user",
            party_name=end_user.name,
            details={"control_code": code.code, "hub": hub, "end_user_country": country},
        )


def check_chpl_declared_unlisted(row: ShipmentRow, ctx: RuleContext) -> Iterator[Flag]:
    code = _code(row)
    if code is None or code.listed or not row.hs_code:
        return
    for match in ctx.items.by_hs(row.hs_code):
        if match.list_name != "chpl":
            continue
        yield Flag(
            code="CONTROL_CHPL_DECLARED_UNLISTED",
            rule=CONSISTENCY_RULE.id,
            severity=Verdict.MEDIUM,
            message=(
                f"HS code {row.hs_code_raw or row.hs_code} is on the CHPL (Tier {match.tier}, "
                f"{match.description}) but the line is classified {code.code}: check the "
                "classification before shipping."
            ),
            citations=(
                Citation(
                    kind="list", title=f"{match.source}: CHPL", url=match.url, date=match.date
                ),
            )
            + ctx.claims.cite(CONSISTENCY_CLAIMS),
            details={"control_code": code.code, "hs": match.code, "tier": match.tier},
        )


LICENCE_RULE = Rule(
    id="control.licence_required",
    title="Controlled item to a comprehensively controlled destination",
    description=(
        "A listed ECCN or EU dual-use number (anything but EAR99) goes to a destination, end "
        "user or consignee in Russia, Belarus, Iran, North Korea, Syria, Cuba or the occupied "
        "regions of Ukraine: a licence is required (EAR part 746; Regulation (EU) 833/2014 "
        "Article 2; Regulation (EU) 2021/821)."
    ),
    codes=("CONTROL_LICENCE_REQUIRED",),
    claims=LICENCE_CLAIMS,
    check=check_licence_required,
)

HUB_RULE = Rule(
    id="control.via_hub",
    title="Controlled item via a hub to a sanctioned end user",
    description=(
        "A listed classification is routed through a transshipment/diversion hub (as consignee, "
        "intermediate consignee, forwarder, transit or destination) to an end user in a "
        "comprehensively controlled country."
    ),
    codes=("CONTROL_VIA_HUB",),
    claims=HUB_CLAIMS,
    check=check_controlled_via_hub,
)

CONSISTENCY_RULE = Rule(
    id="control.chpl_declared_unlisted",
    title="High-priority HS code declared EAR99 / not listed",
    description=(
        "The line's HS code is on the Common High Priority List but its classification says "
        "EAR99 or not listed: a consistency check for the classification team."
    ),
    codes=("CONTROL_CHPL_DECLARED_UNLISTED",),
    claims=CONSISTENCY_CLAIMS,
    check=check_chpl_declared_unlisted,
)
