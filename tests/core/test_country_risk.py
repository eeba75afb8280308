"""The country and route risk table, and its citations checked against the dossier."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from screening.core.claims import get_claim
from screening.core.countries import REGIONS, to_iso2
from screening.core.country_risk import (
    RiskCategory,
    country_risk,
    load_country_risk,
    parse_country_risk,
)
from screening.errors import ConfigError

KSE = "kse-institute-2024-battlefield-goods"


@pytest.fixture(scope="module")
def transshipment_table(shared_dir: Path) -> dict[str, tuple[str, str]]:
    """The dossier's "Transshipment countries named in official alerts": code -> (alerts, designations)."""
    text = (shared_dir / "sources" / "CLAIMS.md").read_text(encoding="utf-8")
    section = text.split("## Transshipment countries named in official alerts", 1)[1].split(
        "\n## ", 1
    )[0]
    table: dict[str, tuple[str, str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("country", "---"):
            continue
        code = to_iso2(cells[0].split("(")[0])
        if code:
            table[code] = (cells[1], cells[2])
    return table


def codes(category: RiskCategory) -> set[str]:
    return {r.code for r in load_country_risk().values() if r.category is category}


def test_comprehensive_destinations() -> None:
    assert codes(RiskCategory.COMPREHENSIVE) == {
        "RU", "BY", "IR", "KP", "SY", "CU", "XC", "XD", "XL", "XZ", "XH",
    }  # fmt: skip
    # The region codes are those of screening.core.countries.
    assert {"XC", "XD", "XL", "XZ", "XH"} <= set(REGIONS.values())
    for code in codes(RiskCategory.COMPREHENSIVE):
        assert load_country_risk()[code].regulation_urls, code


def test_diversion_hubs() -> None:
    hubs = codes(RiskCategory.DIVERSION_HUB)
    assert {"CN", "HK", "TR", "AE", "AM", "GE", "KZ", "KG", "UZ", "IN"} <= hubs
    # Named in an alert but left out (see data/README.md): one source only, or the dossier's caution.
    assert not hubs & {"BR", "IL", "MX", "MN", "NI", "TJ", "VN", "MO", "SG", "TW"}


def test_every_row_cites_claims_or_regulations() -> None:
    for row in load_country_risk().values():
        assert row.claim_ids or row.regulation_urls, row.code
        assert all(u.startswith("https://") for u in row.regulation_urls), row.code
        for claim in row.claims():
            assert claim.id == get_claim(claim.id).id


def test_hubs_follow_the_dossier_table(transshipment_table: dict[str, tuple[str, str]]) -> None:
    for code in codes(RiskCategory.DIVERSION_HUB):
        alerts, designations = transshipment_table[code]
        assert alerts not in ("", "—"), f"{code}: no official alert names it"
        # Every hub but Georgia also has listed parties; Georgia rests on research instead.
        assert designations not in ("", "—") or KSE in load_country_risk()[code].claim_ids, code
        row_text = f"{alerts} {designations}"
        for claim_id in load_country_risk()[code].claim_ids:
            assert claim_id == KSE or _mentioned(claim_id, row_text), f"{code}: {claim_id}"


# The table cites BIS's earlier Entity List action bis.gov/node/7427, which the dossier
# records in the notes of this claim.
NODE_7427 = "bis-2024-08-23-addresses-procurement-fdp"


def _mentioned(claim_id: str, text: str) -> bool:
    """The dossier's table cites claims by their id up to the date, or EU packages by number."""
    if claim_id == NODE_7427 and "node/7427" in text:
        return True
    short = re.match(r"^(.*?\d{4}-\d{2}-\d{2})", claim_id)
    if short and short.group(1) in text:
        return True
    package = re.search(r"-(\d+th)-package", claim_id)
    return bool(package and package.group(1) in text)


@pytest.mark.parametrize(
    ("value", "code"),
    [("RU", "RU"), ("Russian Federation", "RU"), ("RUS", "RU"), ("Crimea", "XC"),
     ("Hong Kong SAR", "HK"), ("Türkiye", "TR"), ("Germany", None), ("", None)],
)  # fmt: skip
def test_lookup_by_code_or_name(value: str, code: str | None) -> None:
    row = country_risk(value)
    assert (row.code if row else None) == code


def test_names() -> None:
    assert load_country_risk()["XD"].name.startswith("so-called Donetsk")
    assert load_country_risk()["AE"].name == "United Arab Emirates"


HEADER = "code,category,note,claim_ids,regulation_urls\n"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("QQ,comprehensive,x,,https://example.org", "not an ISO 3166"),
        ("RU,embargo,x,,https://example.org", "unknown category"),
        ("RU,comprehensive,x,,", "neither a claim nor a regulation"),
        ("RU,comprehensive,x,no-such-claim,", "no claim 'no-such-claim'"),
        ("RU,comprehensive,x,,https://a\nRU,comprehensive,y,,https://b", "appears twice"),
    ],
)
def test_invalid_rows(row: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_country_risk(HEADER + row + "\n", "test.csv")
