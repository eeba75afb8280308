"""Export-control classifications on shipment lines, and item lists users load themselves."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from screening.core.controls import parse_control_code
from screening.intake import read_json_rows
from screening.services import lists as list_service
from screening.services.index import build_from_db
from screening.services.screening import screen_shipments
from screening.settings import Settings
from screening.storage.db import Database


@pytest.fixture
def loaded(db: Database, lists_dir: Path) -> Database:
    [outcome] = list_service.load_path(db, lists_dir / "un_sc")
    assert outcome.status == "activated"
    return db


def screen(db: Database, settings: Settings, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    intake = read_json_rows(rows, max_rows=100)
    assert intake.errors == []
    outcome = screen_shipments(intake.rows, build_from_db(db), settings)
    return outcome.document()["shipments"]


def codes(item: dict[str, Any]) -> set[str]:
    return {f["code"] for f in item["flags"]}


def flag(item: dict[str, Any], code: str) -> dict[str, Any]:
    return next(f for f in item["flags"] if f["code"] == code)


def titles(f: dict[str, Any]) -> str:
    return " | ".join(c["title"] for c in f["citations"])


def test_control_code_structure() -> None:
    code = parse_control_code("3A001.A.7")
    assert (code.listed, code.category, code.group, code.regime) == (True, "3", "A", "wassenaar")
    assert "Electronics" in code.label
    assert parse_control_code("9A120").regime == "missile"
    assert parse_control_code("5A992.C").regime == "unilateral"
    assert not parse_control_code("EAR99").listed
    for bad in ("3Z001", "ABC", "3A01", "99999"):
        with pytest.raises(ValueError):
            parse_control_code(bad)


def test_classified_lines(loaded: Database, settings: Settings) -> None:
    eccn_ru, textiles_ru, via_hk, declared_ear99 = screen(
        loaded,
        settings,
        [
            {
                "shipment_id": "C1",
                "consignee": "Nordwind Instruments",
                "consignee_country": "RU",
                "hs_code": "8542.39",
                "goods_description": "ADC converters",
                "ECCN": "3A001",
            },
            {
                "shipment_id": "C2",
                "consignee": "Nordwind Textiles",
                "consignee_country": "RU",
                "hs_code": "6109.10",
                "goods_description": "Cotton T-shirts",
                "ECCN": "EAR99",
            },
            {
                "shipment_id": "C3",
                "consignee": "Golden Harbour Logistics Limited",
                "consignee_country": "Hong Kong",
                "end_user": "Vostok Instrument Works",
                "end_user_country": "Russia",
                "hs_code": "8517.62",
                "ECCN": "5A002",
            },
            {
                "shipment_id": "C4",
                "consignee": "Acme Electronics GmbH",
                "consignee_country": "DE",
                "hs_code": "8542.31",
                "goods_description": "Microcontrollers",
                "ECCN": "not listed",
            },
        ],
    )
    licence = flag(eccn_ru, "CONTROL_LICENCE_REQUIRED")
    assert eccn_ru["verdict"] == "blocked" and "Licence required" in licence["message"]
    assert "746.8" in titles(licence) and "833/2014" in titles(licence)
    assert "2021/821" in titles(licence)
    assert any(
        c.get("claim_id") == "bis-2024-02-23-common-high-priority-list"
        for c in licence["citations"]
    )

    assert not {c for c in codes(textiles_ru) if c.startswith("CONTROL_")}
    assert "ROUTE_SANCTIONED_DESTINATION" in codes(textiles_ru)  # the route rule still applies

    hub = flag(via_hk, "CONTROL_VIA_HUB")
    assert hub["details"]["hub"] == "HK" and hub["role"] == "end_user"
    assert "CONTROL_LICENCE_REQUIRED" in codes(via_hk) and via_hk["verdict"] == "blocked"

    consistency = flag(declared_ear99, "CONTROL_CHPL_DECLARED_UNLISTED")
    assert consistency["severity"] == "medium" and "EAR99" in consistency["message"]
    assert declared_ear99["verdict"] == "medium"


def test_malformed_codes_are_row_errors() -> None:
    intake = read_json_rows(
        [
            {"consignee": "Acme", "destination_country": "DE", "ECCN": "3A001"},
            {"consignee": "Acme", "destination_country": "DE", "ECCN": "3Q0001"},
        ],
        max_rows=10,
    )
    assert [(e.row, e.field) for e in intake.errors] == [(3, "control_code")]
    assert "3Q0001" in intake.errors[0].message
    assert len(intake.rows) == 2  # the row is still screened, without the code


def write_items(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "Code type",
                "Code",
                "Description",
                "Category",
                "Risk",
                "Source",
                "Citation URL",
                "Date",
            ]
        )
        writer.writerows(rows)
    return path


def test_user_item_list_changes_a_verdict(
    loaded: Database, settings: Settings, tmp_path: Path
) -> None:
    laptops = {
        "shipment_id": "L1",
        "consignee": "Kaufhof Handels GmbH",
        "consignee_country": "DE",
        "hs_code": "8471.30",
        "goods_description": "Laptops",
    }
    [before] = screen(loaded, settings, [laptops])
    assert before["verdict"] == "clear"

    items = write_items(
        tmp_path / "acme-restricted.csv",
        [
            [
                "HS",
                "8471.30",
                "Portable computers",
                "computers",
                "high",
                "Acme compliance policy 7",
                "https://example.org/acme/policy-7",
                "2026-01-15",
            ],
            [
                "ECCN",
                "5A002",
                "Encryption items",
                "infosec",
                "medium",
                "Acme compliance policy 7",
                "",
                "",
            ],
            ["HS", "84x", "a broken row", "", "", "", "", ""],
        ],
    )
    [outcome] = list_service.load_path(loaded, items, source="items:acme", force=True)
    assert outcome.status == "activated" and (outcome.entries, outcome.skipped) == (2, 1)
    status = {r["source"]: r for r in list_service.status(loaded)}
    assert status["items:acme"]["entries"] == 2

    [after] = screen(loaded, settings, [laptops])
    assert after["verdict"] == "high"
    listed = flag(after, "ITEM_LISTED")
    assert listed["details"]["list"] == "acme"
    source = [c for c in listed["citations"] if c["kind"] == "list"]
    assert source[0]["url"] == "https://example.org/acme/policy-7"
    assert "Acme compliance policy 7" in source[0]["title"]


def test_item_list_without_required_columns_is_refused(loaded: Database, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Value\nx,1\n", encoding="utf-8")
    [outcome] = list_service.load_path(loaded, bad, source="items:bad")
    assert outcome.status == "failed" and "missing column" in outcome.message
