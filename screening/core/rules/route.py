"""Rule 3: the route — sanctioned destinations, diversion hubs, and end users behind hubs."""

from __future__ import annotations

from collections.abc import Iterator

from screening.core.countries import country_name
from screening.core.country_risk import CountryRisk
from screening.core.rules.base import Citation, Flag, Rule, Verdict
from screening.core.rules.context import RuleContext
from screening.core.rules.items import item_matches
from screening.core.shipments import ShipmentRow

COMPREHENSIVE = "comprehensive"
HUB = "diversion_hub"

SANCTIONED_CLAIMS = (
    "ft-2024-09-10-campbell-not-dual-use",
    "ft-2024-09-10-campbell-component-pieces",
    "blinken-2024-09-10-perpetuating-the-war",
)
HUB_CLAIMS = (
    "fincen-bis-2022-06-28-fin-2022-alert003",
    "uk-otsi-2025-01-07-high-risk-jurisdictions",
    "adeyemo-2024-05-31-choice-stark",
    "ft-2024-09-10-sanctions-dependence-dual-use",
)


def _cite(ctx: RuleContext, risk: CountryRisk, base: tuple[str, ...]) -> tuple[Citation, ...]:
    ids = tuple(dict.fromkeys((*risk.claim_ids, *base)))
    legal = tuple(
        Citation(kind="regulation", title=_regulation_title(url), url=url)
        for url in risk.regulation_urls
    )
    return legal + ctx.claims.cite(ids)


def _regulation_title(url: str) -> str:
    """A readable title for a regulation URL of the country-risk table."""
    if "ecfr.gov" in url:
        parts = [
            p for p in url.rstrip("/").split("/") if p.startswith(("title-", "part-", "section-"))
        ]
        labels = {"title": "Title", "part": "Part", "section": "§"}
        return "eCFR " + " ".join(f"{labels[p.split('-')[0]]} {p.split('-', 1)[1]}" for p in parts)
    if "eur-lex.europa.eu" in url and "/reg/" in url:
        year, number = url.split("/reg/")[1].split("/")[:2]
        return (
            f"Regulation (EU) {number}/{year}"
            if int(year) >= 2015
            else f"Council Regulation {number}/{year}"
        )
    return url


def _places(row: ShipmentRow) -> list[tuple[str, str]]:
    """(what, country) pairs on the route: destination, end users and consignees."""
    places = []
    if row.destination_country:
        places.append(("destination", row.destination_country))
    for party in row.parties:
        if party.country and party.role in ("end_user", "consignee", "intermediate_consignee"):
            places.append((party.role.replace("_", " "), party.country))
    return places


def check_sanctioned_destination(row: ShipmentRow, ctx: RuleContext) -> Iterator[Flag]:
    items = item_matches(row, ctx)
    seen: set[str] = set()
    for what, code in _places(row):
        risk = ctx.risk(code, COMPREHENSIVE)
        if risk is None or code in seen:
            continue
        seen.add(code)
        with_items = bool(items)
        goods = (
            f" with high-priority goods ({', '.join(sorted({m.code for m in items}))})"
            if with_items
            else ""
        )
        yield Flag(
            code="ROUTE_SANCTIONED_DESTINATION",
            rule=SANCTIONED_RULE.id,
            severity=Verdict.BLOCKED if with_items else Verdict.HIGH,
            message=(
                f"The {what} is in {country_name(code)}, which is under comprehensive "
                f"sanctions or embargo{goods}: {risk.note}"
            ),
            citations=_cite(ctx, risk, SANCTIONED_CLAIMS),
            details={"country": code, "where": what, "with_items": with_items},
        )


def check_hub_with_items(row: ShipmentRow, ctx: RuleContext) -> Iterator[Flag]:
    items = item_matches(row, ctx)
    if not items:
        return
    hubs: dict[str, str] = {}
    for what, code in [*_places(row), *(("transshipment", c) for c in row.transshipment_countries)]:
        if ctx.risk(code, HUB) is not None:
            hubs.setdefault(code, what)
    for code, what in hubs.items():
        risk = ctx.countries[code]
        top = any(m.high_priority for m in items)
        listed = ", ".join(
            sorted({f"{m.code} (Tier {m.tier})" if m.tier else m.code for m in items})
        )
        yield Flag(
            code="ROUTE_HUB_HIGH_PRIORITY",
            rule=HUB_RULE.id,
            severity=Verdict.HIGH if top else Verdict.MEDIUM,
            message=(
                f"High-priority goods {listed} go via {country_name(code)} ({what}), "
                f"a diversion hub named in official alerts: {risk.note}"
            ),
            citations=_cite(ctx, risk, HUB_CLAIMS),
            details={"country": code, "where": what, "items": [m.code for m in items]},
        )


def check_end_user_behind_hub(row: ShipmentRow, ctx: RuleContext) -> Iterator[Flag]:
    end_users = [p for p in row.parties if p.role == "end_user" and p.country]
    intermediaries = [
        p
        for p in row.parties
        if p.role in ("consignee", "intermediate_consignee", "forwarder") and p.country
    ]
    hub_stops = [c for c in row.transshipment_countries if ctx.risk(c, HUB)]
    for end_user in end_users:
        sanctioned = ctx.risk(end_user.country, COMPREHENSIVE)
        if sanctioned is None:
            continue
        fronts = [p for p in intermediaries if ctx.risk(p.country, HUB)]
        if not fronts and not hub_stops:
            continue
        via = (
            f"{fronts[0].role.replace('_', ' ')} '{fronts[0].name}' in "
            f"{country_name(fronts[0].country or '')}"
            if fronts
            else f"transshipment via {country_name(hub_stops[0])}"
        )
        hub_code = fronts[0].country if fronts else hub_stops[0]
        hub = ctx.countries[hub_code or ""]
        items = item_matches(row, ctx)
        yield Flag(
            code="ROUTE_HUB_TO_SANCTIONED_END_USER",
            rule=END_USER_RULE.id,
            severity=Verdict.BLOCKED if items else Verdict.HIGH,
            message=(
                f"End user '{end_user.name}' is in {country_name(end_user.country or '')} "
                f"(comprehensive sanctions) behind {via}, a diversion hub."
            ),
            citations=(*_cite(ctx, sanctioned, SANCTIONED_CLAIMS), *_cite(ctx, hub, HUB_CLAIMS)),
            role="end_user",
            party_name=end_user.name,
            details={"end_user_country": end_user.country, "hub": hub_code},
        )


SANCTIONED_RULE = Rule(
    id="route.sanctioned_destination",
    title="Sanctioned destination",
    description=(
        "The destination, the end user's or a consignee's country is under comprehensive "
        "sanctions or embargo (RU, BY, IR, KP, SY, CU, occupied regions of Ukraine). Holds the "
        "shipment; with high-priority goods it blocks it."
    ),
    codes=("ROUTE_SANCTIONED_DESTINATION",),
    claims=SANCTIONED_CLAIMS,
    check=check_sanctioned_destination,
)

HUB_RULE = Rule(
    id="route.hub_high_priority",
    title="High-priority goods via a diversion hub",
    description=(
        "Goods on the Common High Priority List (or a loaded item list) are shipped to or "
        "through a transshipment/diversion hub named in official alerts. Tier 1-2 goods hold "
        "the shipment; other tiers ask for review."
    ),
    codes=("ROUTE_HUB_HIGH_PRIORITY",),
    claims=HUB_CLAIMS,
    check=check_hub_with_items,
)

END_USER_RULE = Rule(
    id="route.end_user_behind_hub",
    title="Sanctioned end user behind a hub",
    description=(
        "The end user is in a comprehensively sanctioned country while the consignee, an "
        "intermediate consignee or the forwarder sits in a diversion hub, or the goods are "
        "transshipped via one: the classic diversion pattern of the FinCEN-BIS alerts."
    ),
    codes=("ROUTE_HUB_TO_SANCTIONED_END_USER",),
    claims=(*SANCTIONED_CLAIMS, *HUB_CLAIMS),
    check=check_end_user_behind_hub,
)
