"""Adapters from the core's data tables (CHPL, item lists, claims) to what rules consume."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from screening.core.claims import Claim
from screening.core.items import chpl_match, match_description
from screening.core.rules.base import Citation
from screening.core.rules.context import ItemCatalog, ItemMatch

CHPL_SOURCE = "BIS (US Commerce) with the EU, Japan and the UK"


def _tier(label: str) -> str:
    return label.removeprefix("Tier ").strip()


class ChplCatalog:
    """The Common High Priority List as an item catalog (HS prefix and description keywords)."""

    def by_hs(self, hs_code: str) -> Sequence[ItemMatch]:
        item = chpl_match(hs_code)
        if item is None:
            return ()
        return (
            ItemMatch(
                list_name="chpl",
                code=item.dotted,
                tier=_tier(item.tier),
                description=item.description,
                source=CHPL_SOURCE,
                url=item.source_url,
                date=item.published,
                how="hs_code",
            ),
        )

    def by_description(self, text: str) -> Sequence[ItemMatch]:
        return tuple(
            ItemMatch(
                list_name="chpl",
                code=m.item.dotted,
                tier=_tier(m.item.tier),
                description=m.item.description,
                source=CHPL_SOURCE,
                url=m.item.source_url,
                date=m.item.published,
                how="description",
                matched_words=m.words,
            )
            for m in match_description(text)
        )

    def by_control_code(self, code: str) -> Sequence[ItemMatch]:
        return ()


@dataclass(frozen=True, slots=True)
class ListedItem:
    """One row of a user-loaded item list."""

    list_name: str
    code_type: str  # HS | ECCN | EU
    code: str  # HS digits (a prefix), or a classification ("3A001", "3A001.A.7")
    description: str
    category: str | None
    risk: str | None  # tier or risk label: "1", "3.A", "high", "blocked", ...
    source: str
    url: str | None
    date: str | None

    def match(self, how: str) -> ItemMatch:
        return ItemMatch(
            list_name=self.list_name,
            code=self.code,
            tier=self.risk,
            description=self.description,
            source=self.source,
            url=self.url,
            date=self.date,
            how=how,
            code_type=self.code_type,
            category=self.category,
        )


class ItemListCatalog:
    """A loaded item list: HS entries match by prefix, classifications by paragraph prefix."""

    def __init__(self, items: Iterable[ListedItem]) -> None:
        self.items = tuple(items)
        self._hs = [i for i in self.items if i.code_type == "HS"]
        self._controls = [i for i in self.items if i.code_type in ("ECCN", "EU")]

    def by_hs(self, hs_code: str) -> Sequence[ItemMatch]:
        return [i.match("hs_code") for i in self._hs if hs_code.startswith(i.code)]

    def by_description(self, text: str) -> Sequence[ItemMatch]:
        return ()

    def by_control_code(self, code: str) -> Sequence[ItemMatch]:
        return [
            i.match("control_code")
            for i in self._controls
            if code == i.code or code.startswith(i.code + ".")
        ]


@dataclass(frozen=True)
class CompositeCatalog:
    """Several item catalogs (CHPL plus loaded item lists) asked in turn."""

    catalogs: tuple[ItemCatalog, ...]

    def by_hs(self, hs_code: str) -> Sequence[ItemMatch]:
        return [m for c in self.catalogs for m in c.by_hs(hs_code)]

    def by_description(self, text: str) -> Sequence[ItemMatch]:
        return [m for c in self.catalogs for m in c.by_description(text)]

    def by_control_code(self, code: str) -> Sequence[ItemMatch]:
        return [m for c in self.catalogs for m in c.by_control_code(code)]


class ClaimRegistry:
    """Turns claim ids into citations; unknown ids are skipped (a rule never fails on a citation)."""

    def __init__(self, claims: Iterable[Claim]) -> None:
        self.claims: Mapping[str, Claim] = {c.id: c for c in claims}

    def cite(self, claim_ids: Iterable[str]) -> tuple[Citation, ...]:
        out = []
        for claim_id in dict.fromkeys(claim_ids):
            claim = self.claims.get(claim_id)
            if claim is not None:
                out.append(
                    Citation(
                        kind="claim",
                        title=f"{claim.claimant}, {claim.publication}",
                        url=claim.url,
                        date=claim.date,
                        claim_id=claim.id,
                    )
                )
        return tuple(out)
