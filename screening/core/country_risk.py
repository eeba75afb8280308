"""Country and route risk: which destinations and transit points a shipment flag names.

The table ``screening/core/data/country_risk.csv`` has one row per country or
region code (ISO 3166 alpha-2, or a region code of
:data:`screening.core.countries.REGIONS` for the occupied regions of Ukraine)
in one of two categories:

* ``comprehensive``: comprehensively sanctioned or embargoed (Russia, Belarus,
  Iran, North Korea, Syria, Cuba, the occupied regions), cited by regulation;
* ``diversion_hub``: a transshipment or diversion point named by an official
  alert or guidance *and* where official actions listed parties (or, for
  Georgia, independent research corroborates it), cited by claims of the
  registry (:mod:`screening.core.claims`).

Every row cites at least one claim or regulation. See ``data/README.md`` for
the selection rule and the countries left out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType

import pycountry

from screening.core.claims import Claim, get_claim
from screening.core.countries import REGION_NAMES, country_name, to_iso2
from screening.errors import ConfigError, NotFound


class RiskCategory(StrEnum):
    COMPREHENSIVE = "comprehensive"
    DIVERSION_HUB = "diversion_hub"


@dataclass(frozen=True, slots=True)
class CountryRisk:
    """Why a country or region is a risk for a shipment, with its citations."""

    code: str
    category: RiskCategory
    note: str
    claim_ids: tuple[str, ...]
    regulation_urls: tuple[str, ...]

    @property
    def name(self) -> str:
        return country_name(self.code)

    def claims(self) -> tuple[Claim, ...]:
        """The registry claims this row cites."""
        return tuple(get_claim(claim_id) for claim_id in self.claim_ids)


@cache
def load_country_risk() -> Mapping[str, CountryRisk]:
    """The risk table by code (read-only).

    Raises:
        ConfigError: a row has an unknown code or category, a repeated code,
            no citation, or cites a claim the registry does not have.
    """
    text = resources.files("screening.core.data").joinpath("country_risk.csv").read_text("utf-8")
    return MappingProxyType(parse_country_risk(text, "country_risk.csv"))


def parse_country_risk(text: str, origin: str) -> dict[str, CountryRisk]:
    """Rows of a country-risk CSV, validated.

    Raises:
        ConfigError: as for :func:`load_country_risk`.
    """
    table: dict[str, CountryRisk] = {}
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        where = f"{origin} line {number}"
        code = (row.get("code") or "").strip().upper()
        if code not in REGION_NAMES and pycountry.countries.get(alpha_2=code) is None:
            raise ConfigError(f"{where}: {code!r} is not an ISO 3166 alpha-2 or region code")
        if code in table:
            raise ConfigError(f"{where}: {code} appears twice")
        try:
            category = RiskCategory((row.get("category") or "").strip())
        except ValueError as exc:
            raise ConfigError(f"{where}: unknown category {row.get('category')!r}") from exc
        claim_ids = _split(row.get("claim_ids"))
        urls = _split(row.get("regulation_urls"))
        if not claim_ids and not urls:
            raise ConfigError(f"{where}: {code} cites neither a claim nor a regulation")
        for claim_id in claim_ids:
            try:
                get_claim(claim_id)
            except NotFound as exc:
                raise ConfigError(f"{where}: {exc.message}") from exc
        table[code] = CountryRisk(code, category, (row.get("note") or "").strip(), claim_ids, urls)
    return table


def country_risk(value: str | None) -> CountryRisk | None:
    """The risk row for a country code or name ("RU", "Russia", "Crimea", "Hong Kong SAR"), or None."""
    if not value:
        return None
    table = load_country_risk()
    code = value.strip().upper()
    if code in table:
        return table[code]
    iso = to_iso2(value)
    return table.get(iso) if iso else None


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(";") if part.strip())
