"""Screening shipments end to end against the real lists (issue: shipment screening).

The index is built once per module from the shared mirror (OFAC SDN, UK OFSI,
UN SC and the 2022 CSL with its Entity List); the workbook rows name real
listed parties in other spellings and scripts, and clean look-alikes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from screening.intake import read_shipments
from screening.services.index import ListIndex, build_from_mirror
from screening.services.screening import screen_shipments
from screening.settings import Settings

SOURCES = ["us_ofac_sdn", "uk_ofsi", "un_sc", "us_csl"]
HEADERS = [
    "Shipment ID",
    "Consignee",
    "Consignee country",
    "End user",
    "End-user country",
    "Buyer",
    "Country of destination",
    "Transit countries",
    "HS code",
    "Description of goods",
    "Value",
    "Currency",
]
ROWS: list[list[Any]] = [
    # 2: an SDN bank in a spelling the list does not carry
    [
        "S-1",
        "Sberbank of Russia PJSC",
        "Russian Federation",
        None,
        None,
        None,
        "Russia",
        None,
        "8471.30",
        "Laptops",
        12000,
        "EUR",
    ],
    # 3: a Chinese company on the UK list, given in pinyin; the list has the characters
    [
        "S-2",
        "Chengdu Jingxin Keji Youxian Gongsi",
        "China",
        None,
        None,
        None,
        "China",
        None,
        "8529.10",
        "Antennas",
        3000,
        "USD",
    ],
    # 4: an Entity List company (CSL, BIS)
    [
        "S-3",
        "Chengdu Spaceon Technology Co Ltd",
        "CN",
        None,
        None,
        None,
        "CN",
        None,
        "9030.20",
        "Oscilloscopes",
        8000,
        "USD",
    ],
    # 5: Tier 1 integrated circuits via Hong Kong to a Russian end user
    [
        "S-4",
        "Golden Harbour Logistics Limited",
        "Hong Kong SAR",
        "Vostok Instrument Works",
        "Russian Federation",
        None,
        "Hong Kong",
        None,
        "8542.31.00",
        "Microcontrollers, 32-bit",
        45000,
        "USD",
    ],
    # 6: cotton T-shirts to a German retailer
    [
        "S-5",
        "Textilhaus Mueller GmbH",
        "Germany",
        None,
        None,
        None,
        "Germany",
        None,
        "6109.10",
        "Cotton T-shirts",
        5000,
        "EUR",
    ],
    # 7: a Cyrillic-script buyer; the SDN lists the bank in Latin only
    [
        "S-6",
        "Kaufhof Handels GmbH",
        "Germany",
        None,
        None,
        "АО Альфа-Банк",
        "Germany",
        None,
        "8517.13",
        "Smartphones",
        700,
        "EUR",
    ],
    # 8: a person on the UN list (Al-Qaida), a common romanisation of his name
    [
        "S-7",
        "Nordic Marine Supplies AB",
        "Sweden",
        "Mohamed Hamdi Mohamed Sadek Al Ahdal",
        "Yemen",
        None,
        "Sweden",
        None,
        "8414.51",
        "Fans",
        200,
        "EUR",
    ],
]


@pytest.fixture(scope="module")
def index(lists_dir: Path) -> ListIndex:
    return build_from_mirror(lists_dir, SOURCES)


@pytest.fixture(scope="module")
def document(index: ListIndex, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Shipments"
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    intake = read_shipments(buffer.getvalue(), "shipments.xlsx", max_bytes=10**7, max_rows=1000)
    assert intake.errors == []
    settings = Settings(instance_path=tmp_path_factory.mktemp("instance"))
    outcome = screen_shipments(
        intake.rows, index, settings, input_name="shipments.xlsx", input_sha256=intake.sha256
    )
    return outcome.document()


def shipment(document: dict[str, Any], shipment_id: str) -> dict[str, Any]:
    return next(s for s in document["shipments"] if s["shipment_id"] == shipment_id)


def codes(item: dict[str, Any]) -> set[str]:
    return {f["code"] for f in item["flags"]}


def party_hits(item: dict[str, Any], source: str) -> list[dict[str, Any]]:
    return [
        f
        for f in item["flags"]
        if f["code"] == "PARTY_LISTED" and (f["entity_id"] or "").startswith(source + ":")
    ]


def claim_ids(flag: dict[str, Any]) -> set[str]:
    return {c["claim_id"] for c in flag["citations"] if c.get("claim_id")}


def test_sdn_bank_in_another_spelling_is_blocked(document: dict[str, Any]) -> None:
    item = shipment(document, "S-1")
    assert item["row"] == 2 and item["verdict"] == "blocked"
    [hit] = [f for f in party_hits(item, "us_ofac_sdn") if f["entity_id"] == "us_ofac_sdn:17018"]
    assert hit["role"] == "consignee" and hit["party_name"] == "Sberbank of Russia PJSC"
    assert "RUSSIA-EO14024" in hit["programs"] and hit["explanation"]
    legal = [c for c in hit["citations"] if c["kind"] == "legal_basis"]
    assert any("RUSSIA-EO14024" in c["legal_basis"] for c in legal)
    assert "ft-2024-09-10-sullivan-backchannel-europe-sanctions" in claim_ids(hit)
    # Russia is also a sanctioned destination, citing the FT report's claims.
    [route] = [f for f in item["flags"] if f["code"] == "ROUTE_SANCTIONED_DESTINATION"]
    assert "ft-2024-09-10-campbell-component-pieces" in claim_ids(route)


def test_chinese_company_in_pinyin_matches_its_listed_characters(document: dict[str, Any]) -> None:
    item = shipment(document, "S-2")
    hits = party_hits(item, "uk_ofsi")
    assert [h["entity_id"] for h in hits] == ["uk_ofsi:16675"]
    assert item["verdict"] == "blocked"


def test_entity_list_party_holds_the_shipment(document: dict[str, Any]) -> None:
    item = shipment(document, "S-3")
    hits = party_hits(item, "us_csl")
    assert hits and all(h["details"]["sub_list"] == "EL" for h in hits)
    assert any("Spaceon" in h["matched_name"] for h in hits)
    assert item["verdict"] == "high"  # Entity List: a licence matter, not an asset freeze
    citations = [c for h in hits for c in h["citations"]]
    assert any(c["kind"] == "legal_basis" and "FR" in c["title"] for c in citations)


def test_tier1_chips_via_hong_kong_to_russian_end_user(document: dict[str, Any]) -> None:
    item = shipment(document, "S-4")
    assert item["verdict"] == "blocked"
    assert {
        "ITEM_HIGH_PRIORITY",
        "ROUTE_SANCTIONED_DESTINATION",
        "ROUTE_HUB_HIGH_PRIORITY",
        "ROUTE_HUB_TO_SANCTIONED_END_USER",
        "RED_END_USER_ACROSS_HUB",
    } <= codes(item)
    # No listed party: at most a review-level look-alike, never an alert.
    assert not [f for f in item["flags"] if f["code"] == "PARTY_LISTED"]
    [chips] = [f for f in item["flags"] if f["code"] == "ITEM_HIGH_PRIORITY"]
    assert chips["details"]["tier"] == "1" and chips["details"]["code"] == "8542.31"
    assert "bis-2024-02-23-common-high-priority-list" in claim_ids(chips)
    [hub] = [f for f in item["flags"] if f["code"] == "ROUTE_HUB_HIGH_PRIORITY"]
    assert hub["details"]["country"] == "HK"
    assert "treasury-state-2024-06-12-hong-kong-networks" in claim_ids(
        hub
    ) or "uk-otsi-2025-01-07-high-risk-jurisdictions" in claim_ids(hub)


def test_clean_textiles_to_germany_are_clear(document: dict[str, Any]) -> None:
    item = shipment(document, "S-5")
    assert (item["verdict"], item["flags"]) == ("clear", [])


def test_cyrillic_buyer_matches_latin_sdn_entry(document: dict[str, Any]) -> None:
    item = shipment(document, "S-6")
    hits = party_hits(item, "us_ofac_sdn")
    assert "us_ofac_sdn:34682" in {h["entity_id"] for h in hits}
    assert {h["role"] for h in hits} == {"buyer"}
    assert item["verdict"] == "blocked"


def test_un_listed_person_as_end_user(document: dict[str, Any]) -> None:
    item = shipment(document, "S-7")
    hits = [f for f in item["flags"] if f["entity_id"] == "un_sc:QDi.020"]
    assert hits and hits[0]["role"] == "end_user"
    assert any("1267" in c["title"] for c in hits[0]["citations"] if c["kind"] == "legal_basis")


def test_every_flag_is_explained_and_cited(document: dict[str, Any]) -> None:
    flags = [f for s in document["shipments"] for f in s["flags"]]
    assert flags
    for flag in flags:
        assert flag["message"] and flag["citations"], flag
    cited = {c["claim_id"] for f in flags for c in f["citations"] if c.get("claim_id")}
    assert {c["id"] for c in document["claims"]} == cited
    assert any(c["id"].startswith("ft-2024-09-10-") for c in document["claims"])
    run = document["run"]
    assert {v["source"] for v in run["list_versions"]} == set(SOURCES)
    assert run["counts"]["clear"] >= 1 and run["algorithm"] and run["thresholds"]["alert"] > 0


def iter_rows(document: dict[str, Any]) -> Iterator[int]:
    yield from (s["row"] for s in document["shipments"])


def test_rows_numbered_as_in_the_sheet(document: dict[str, Any]) -> None:
    assert list(iter_rows(document)) == list(range(2, 2 + len(ROWS)))


def test_hs_descriptions_from_the_nomenclature(
    index: ListIndex, shared_dir: Path, tmp_path: Path
) -> None:
    settings = Settings(
        instance_path=tmp_path, hs_nomenclature=shared_dir / "data" / "items" / "hs" / "2022"
    )
    intake = read_shipments(
        b"Consignee,Destination,HS code\nAcme Tools Ltd,DE,8482.10.90\n",
        "x.csv",
        max_bytes=10_000,
        max_rows=10,
    )
    [result] = screen_shipments(intake.rows, index, settings).document()["shipments"]
    assert "ball bearings" in result["shipment"]["hs_description"].lower()
