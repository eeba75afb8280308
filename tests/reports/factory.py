"""Screening result documents for report tests, made by the real rules.

:func:`document` screens a handful of shipment rows with the declared rules
(``screening.core.rules.evaluate``), the real CHPL, country-risk table and
claims registry, and a stub party screener that reports one listed party per
name given to it. The result goes through ``ScreeningOutcome.document()``, the
function every channel uses, so the tests see the document shape reports get.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from screening.core.claims import load_claims
from screening.core.country_risk import load_country_risk
from screening.core.rules import RULES, RuleContext, evaluate
from screening.core.rules.base import Citation
from screening.core.rules.context import AddressHit, PartyHit
from screening.core.rules.sources import ChplCatalog, ClaimRegistry
from screening.core.shipments import PartyRef, RowError, ShipmentRow
from screening.services.index import VersionInfo
from screening.services.screening import RULESET_VERSION, ScreeningOutcome

# Cells a spreadsheet would run as formulas if written carelessly (OWASP CSV injection).
FORMULA_LIKE = (
    '=HYPERLINK("http://example.com","x")',
    "+7 Trading FZE",
    "-1 Logistics LLC",
    "@Alpha Components",
    "\tTab Freight Ltd",
    "\rCarriage Return Ltd",
)

# A Denied Persons List entry as the matching engine reports it (real entity id,
# name and Federal Register notices of us_bis_dpl 2023-11-16).
DPL_HIT = PartyHit(
    entity_id="us_bis_dpl:3edebabffc55",
    source="us_bis_dpl",
    source_title="Denied Persons List (DPL)",
    kind="organization",
    matched_name="AL NASER AIRLINES",
    score=0.97,
    alert=True,
    explanation="name 'AL NASER AIRLINES' ~ listed 'AL NASER AIRLINES' (1.00)",
    programs=("DPL",),
    legal_basis=(
        Citation(
            kind="legal_basis",
            title="80 FR 30435",
            url="https://www.federalregister.gov/citation/80-FR-30435",
            date="2015-05-28",
        ),
        Citation(
            kind="legal_basis",
            title="80 FR 44930",
            url="https://www.federalregister.gov/citation/80-FR-44930",
            date="2015-07-28",
        ),
    ),
)


@dataclass
class StubParties:
    """Reports every name in ``listed`` as a match of the DPL entry above."""

    listed: set[str] = field(default_factory=set)

    def screen(self, name: str, country: str | None) -> Sequence[PartyHit]:
        return [DPL_HIT] if name in self.listed else []

    def by_address(self, address: str) -> Sequence[AddressHit]:
        return []


def row(
    number: int,
    consignee: str,
    *,
    sheet: str = "May",
    country: str | None = None,
    destination: str | None = None,
    hs: str | None = None,
    goods: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> ShipmentRow:
    """A shipment row whose original cells are what an upload would have held."""
    original = {
        "Shipment ID": f"S-{number}",
        "Consignee": consignee,
        "Consignee country": country or "",
        "Destination": destination or "",
        "HS code": hs or "",
        "Goods": goods or "",
        **(extra or {}),
    }
    return ShipmentRow(
        row=number,
        sheet=sheet,
        shipment_id=f"S-{number}",
        parties=(PartyRef("consignee", consignee, country),),
        destination_country=destination,
        hs_code=hs.replace(".", "") if hs else None,
        hs_code_raw=hs,
        goods_description=goods,
        original=tuple(original.items()),
    )


def document(
    rows: Sequence[ShipmentRow],
    versions: Sequence[VersionInfo],
    *,
    listed: Iterable[str] = (),
    errors: Sequence[RowError] = (),
    input_name: str = "shipments-may.xlsx",
) -> dict[str, Any]:
    """The document of screening ``rows`` (``listed`` names match the DPL entry)."""
    claims = load_claims()
    ctx = RuleContext(
        parties=StubParties(set(listed)),
        items=ChplCatalog(),
        countries=load_country_risk(),
        claims=ClaimRegistry(claims),
    )
    results = [evaluate(r, ctx) for r in rows]
    run = {
        "id": "run-0001",
        "created_at": "2024-06-03T09:15:00+00:00",
        "created_by": "officer@example.com",
        "channel": "web",
        "input": {
            "name": input_name,
            "sha256": "5f" * 32,
            "rows": len(rows),
            "errors": len(errors),
        },
        "list_versions": [v.to_dict() for v in versions],
        "algorithm": "screening-match-1",
        "ruleset": RULESET_VERSION,
        "rules": [{"id": r.id, "title": r.title, "claims": list(r.claims)} for r in RULES],
        "thresholds": {"alert": 0.8, "review": 0.6},
        "verdict_policy": {"escalate_mediums": 3, "overrides": {}},
        "mapping": {"Consignee": "consignee", "HS code": "hs_code"},
    }
    outcome = ScreeningOutcome(
        run_id="run-0001",
        results=results,
        errors=list(errors),
        run=run,
        claims={c.id: c for c in claims},
    )
    return outcome.document()
