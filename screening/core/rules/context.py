"""What rules may look at besides the row: the party index, item lists, country risk, claims.

Rules never reach for globals or IO; everything arrives in one frozen
:class:`RuleContext`, built once per screening run by the service layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from screening.core.country_risk import CountryRisk
from screening.core.rules.base import Citation


@dataclass(frozen=True, slots=True)
class ItemMatch:
    """An item-list entry that a shipment line's HS code or description matched."""

    list_name: str  # "chpl" or a user-loaded item list
    code: str  # the listed code or prefix, e.g. "854231"
    tier: str | None  # CHPL tier ("1", "2", "3.A", ...) or a risk label
    description: str
    source: str  # who publishes the list
    url: str | None
    date: str | None
    how: str  # "hs_code" | "description" | "control_code"
    matched_words: tuple[str, ...] = ()
    code_type: str = "HS"  # HS | ECCN | EU
    category: str | None = None

    @property
    def high_priority(self) -> bool:
        """CHPL Tiers 1 and 2 (the nine codes BIS asks end-user statements for), or a high risk."""
        return (self.tier or "").lower() in {"1", "2", "high", "blocked", "prohibited"}

    @property
    def severity(self) -> str:
        """The verdict a match asks for on its own: a loaded list's risk label, else by tier."""
        label = (self.tier or "").lower()
        if label in {"blocked", "prohibited"}:
            return "blocked"
        if label in {"high", "medium", "low"}:
            return label
        return "medium" if self.high_priority else "low"


class ItemCatalog(Protocol):
    def by_hs(self, hs_code: str) -> Sequence[ItemMatch]: ...

    def by_description(self, text: str) -> Sequence[ItemMatch]: ...

    def by_control_code(self, code: str) -> Sequence[ItemMatch]: ...


class ClaimCiter(Protocol):
    def cite(self, claim_ids: Iterable[str]) -> tuple[Citation, ...]: ...


class PartyScreener(Protocol):
    """Screens one party name; returns hits as the matching engine gives them."""

    def screen(self, name: str, country: str | None) -> Sequence[PartyHit]: ...

    def by_address(self, address: str) -> Sequence[AddressHit]: ...


@dataclass(frozen=True, slots=True)
class PartyHit:
    entity_id: str
    source: str
    source_title: str
    kind: str
    matched_name: str
    score: float
    alert: bool
    explanation: str
    programs: tuple[str, ...]
    legal_basis: tuple[Citation, ...]
    features: Mapping[str, float] = field(default_factory=dict)
    list_version: str | None = None
    fingerprint: str | None = None
    sub_list: str | None = None  # CSL sub-list code ("EL", "MEU", ...)


@dataclass(frozen=True, slots=True)
class AddressHit:
    entity_id: str
    source: str
    name: str
    address: str


@dataclass(frozen=True)
class RuleContext:
    parties: PartyScreener
    items: ItemCatalog
    countries: Mapping[str, CountryRisk]
    claims: ClaimCiter
    # Lists whose alert-level match blocks a shipment (asset freezes, denial orders).
    blocking_sources: frozenset[str] = frozenset(
        {"us_ofac_sdn", "un_sc", "uk_ofsi", "uk_fcdo", "eu_fsf", "us_bis_dpl"}
    )
    # CSL sub-lists that block like the lists above (SDN and DPL inside the CSL).
    blocking_sub_lists: frozenset[str] = frozenset({"SDN", "DPL"})
    # Rule id -> ids of claims a site attached to it; every flag of the rule cites them.
    extra_claims: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Per-run memo of derived facts several rules need (item matches of a line), keyed
    # by the values they derive from; files repeat the same goods on many rows.
    memo: dict[tuple[object, ...], object] = field(default_factory=dict, compare=False, repr=False)

    def risk(self, code: str | None, category: str) -> CountryRisk | None:
        if not code:
            return None
        found = self.countries.get(code)
        return found if found is not None and found.category.value == category else None
