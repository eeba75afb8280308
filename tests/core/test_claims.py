"""The claims registry, checked word for word against the dossier and the FT report.

The dossier (``sources/CLAIMS.md``) and the FT text are read at test time from
the shared folder: the registry must hold every dossier block, every quote must
be found verbatim in the document the claim names, and every direct quotation
of the FT report must be accounted for.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from screening.core.claims import (
    ClaimKind,
    builtin_claims,
    claims_by_tag,
    get_claim,
    load_claims,
)
from screening.core.country_risk import load_country_risk
from screening.errors import ConfigError, NotFound

FT_FILE = "ft-2024-09-10-us-china-russia-war-machine.txt"


@pytest.fixture(scope="module")
def dossier(shared_dir: Path) -> str:
    return (shared_dir / "sources" / "CLAIMS.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def ft_text(shared_dir: Path) -> str:
    return (shared_dir / "sources" / FT_FILE).read_text(encoding="utf-8")


def dossier_ids(dossier: str) -> list[str]:
    """Ids of the claim blocks: "### <id>" headings that the summary table also lists."""
    table = set(re.findall(r"^\| ([a-z0-9-]+) \| \d{4}-\d{2}-\d{2} \|", dossier, re.MULTILINE))
    blocks = re.findall(r"^### ([a-z0-9-]+)", dossier, re.MULTILINE)
    return [b for b in blocks if b in table]


def test_registry_holds_every_dossier_claim(dossier: str) -> None:
    ids = dossier_ids(dossier)
    assert len(ids) == 35  # "Scope: 35 claims."
    from_dossier = [c for c in builtin_claims() if c.recorded_in == "CLAIMS.md"]
    assert [c.id for c in from_dossier] == ids
    assert len({c.id for c in builtin_claims()}) == len(builtin_claims())


def test_every_claim_has_quote_url_and_iso_date() -> None:
    for claim in builtin_claims():
        assert claim.quote.strip() and claim.summary.strip() and claim.verification.strip()
        assert claim.url.startswith(("https://", "http://")), claim.id
        assert date.fromisoformat(claim.date), claim.id
        assert claim.tags, claim.id


def test_dossier_quotes_are_verbatim(dossier: str) -> None:
    for claim in builtin_claims():
        if claim.recorded_in == "CLAIMS.md":
            assert f'- quote: "{claim.quote}"' in dossier, claim.id


def test_dossier_tags_and_dates_are_kept(dossier: str) -> None:
    for claim in builtin_claims():
        if claim.recorded_in != "CLAIMS.md":
            continue
        row = re.search(
            rf"^\| {re.escape(claim.id)} \| (\S+) \|.*\| ([^|]+) \|$", dossier, re.MULTILINE
        )
        assert row is not None, claim.id
        assert claim.date == row.group(1)
        assert list(claim.tags) == [t.strip() for t in row.group(2).split(",")]


def test_non_official_claims_are_marked(dossier: str) -> None:
    marked = set(re.findall(r"^### ([a-z0-9-]+) — NON-OFFICIAL", dossier, re.MULTILINE))
    research = {c.id for c in builtin_claims() if c.kind is ClaimKind.RESEARCH}
    assert marked == {"ft-2024-09-10-gabuev-military-tech-cooperation", "kse-institute-2024-battlefield-goods", "rusi-2022-08-silicon-lifeline"}  # fmt: skip
    assert marked <= research


def test_ft_quotes_are_in_the_ft_text(ft_text: str) -> None:
    ft_claims = [c for c in builtin_claims() if c.id.startswith("ft-2024-09-10-")]
    assert len(ft_claims) == 15  # 7 dossier blocks + 8 added from the report
    for claim in ft_claims:
        # The dossier joins two fragments of one quotation with '" … "'.
        for fragment in claim.quote.split('" … "'):
            assert fragment in ft_text, (claim.id, fragment)
        assert claim.date == "2024-09-10"


def test_added_ft_claims_cite_the_report() -> None:
    added = [c for c in builtin_claims() if c.recorded_in == FT_FILE]
    assert len(added) == 8
    for claim in added:
        assert claim.publication == "Financial Times, 10 September 2024"
        assert claim.id.startswith("ft-2024-09-10-")


# Quotations of the FT covered by a claim's summary rather than its quote, and why.
COVERED_BY_SUMMARY = {
    "war machine": "ft-2024-09-10-campbell-not-dual-use",
    "lethal aid": "ft-2024-09-10-campbell-not-dual-use",
    "negative and concerning impact": "ft-2024-09-10-campbell-western-pacific-impact",
    "constructive role": "ft-2024-09-10-beijing-denies-support",
    "Under the pretext of countering": "ft-2024-09-10-putin-accuses-us-dominance",
}


def test_every_ft_quotation_is_covered(ft_text: str) -> None:
    quotations = [q.strip(" ,.") for q in re.findall(r"“([^”]+)”", ft_text)]
    assert len(quotations) == 14
    quotes = [c.quote for c in builtin_claims() if c.id.startswith("ft-2024-09-10-")]
    for quotation in quotations:
        if any(quotation in q or q.strip(" ,.") in quotation for q in quotes):
            continue
        if any(quotation in q for q in _fragments(quotes)):
            continue
        prefix = next((p for p in COVERED_BY_SUMMARY if quotation.startswith(p)), None)
        assert prefix is not None, f"FT quotation not in the registry: {quotation!r}"
        get_claim(COVERED_BY_SUMMARY[prefix])


def _fragments(quotes: list[str]) -> list[str]:
    return [f for q in quotes for f in q.split('" … "')]


def test_lookup_by_id_and_tag() -> None:
    chpl = get_claim("bis-2024-02-23-common-high-priority-list")
    assert chpl.claimant == "Bureau of Industry and Security"
    assert chpl.url == "https://bis.gov/node/6280"
    assert chpl.kind is ClaimKind.OFFICIAL
    assert chpl in claims_by_tag("item:chpl-tier1")
    assert "treasury-state-2024-06-12-hong-kong-networks" in {
        c.id for c in claims_by_tag("route:HK-RU")
    }
    with pytest.raises(NotFound):
        get_claim("no-such-claim")


def test_country_risk_cites_existing_claims() -> None:
    ids = {c.id for c in builtin_claims()}
    for row in load_country_risk().values():
        assert set(row.claim_ids) <= ids, row.code


USER_CLAIM = {
    "id": "site-2025-01-01-example",
    "claimant": "Compliance team",
    "role": "internal policy",
    "organisation": "Example GmbH",
    "date": "2025-01-01",
    "publication": "internal screening policy v3",
    "url": "https://example.org/policy",
    "quote": "Shipments to new customers in hub countries need a signed end-user statement.",
    "summary": "Internal rule requiring end-user statements.",
    "tags": ["red-flag:new-customer"],
    "verification": "internal document",
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_user_claims_are_added(tmp_path: Path) -> None:
    claims = load_claims(write(tmp_path, {"claims": [USER_CLAIM]}))
    assert len(claims) == len(builtin_claims()) + 1
    user = get_claim("site-2025-01-01-example", claims)
    assert user.recorded_in == "user" and user.kind is ClaimKind.OFFICIAL
    assert user in claims_by_tag("red-flag:new-customer", claims)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "bis-2024-02-23-common-high-priority-list"}, "used twice"),
        ({"quote": ""}, "'quote' is required"),
        ({"date": "07/01/2025"}, "not an ISO date"),
        ({"url": "bis.gov"}, "not an http"),
        ({"tags": "chpl"}, "lists of strings"),
        ({"kind": "rumour"}, "not one of official, media, research"),
    ],
)
def test_invalid_user_claims(tmp_path: Path, change: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_claims(write(tmp_path, [{**USER_CLAIM, **change}]))


def test_invalid_user_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="used twice"):
        load_claims(write(tmp_path, [USER_CLAIM, USER_CLAIM]))
    with pytest.raises(ConfigError, match="expected"):
        load_claims(write(tmp_path, {"items": []}))
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_claims(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        load_claims(tmp_path / "missing.json")
