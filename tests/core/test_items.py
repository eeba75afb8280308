"""CHPL table, HS codes and goods descriptions, checked against the shared source files."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from screening.core.claims import claims_by_tag
from screening.core.items import (
    CHPL_CATEGORY_KEYWORDS,
    chpl_in_heading,
    chpl_match,
    chpl_tiers,
    load_chpl,
    load_hs,
    match_description,
    normalize_hs,
)
from screening.errors import ConfigError, ListFormatError


@pytest.fixture(scope="module")
def chpl_dir(shared_dir: Path) -> Path:
    return shared_dir / "data" / "items" / "chpl" / "2024-02-23"


@pytest.fixture(scope="module")
def hs_dir(shared_dir: Path) -> Path:
    return shared_dir / "data" / "items" / "hs" / "2022"


def test_chpl_has_50_codes_in_six_tiers() -> None:
    items = load_chpl()
    assert len(items) == 50
    assert len({i.hs6 for i in items}) == 50
    assert Counter(i.tier for i in items) == {
        "Tier 1": 4, "Tier 2": 5, "Tier 3.A": 16, "Tier 3.B": 9, "Tier 4.A": 11, "Tier 4.B": 5,
    }  # fmt: skip
    assert {i.published for i in items} == {"2024-02-23"}
    assert {i.source_url for i in items} == {
        "https://www.bis.gov/licensing/country-guidance/common-high-priority-items-list-chpl"
    }


def test_chpl_is_the_shared_source_file(chpl_dir: Path) -> None:
    with (chpl_dir / "chpl_2024-02-23_hs6.csv").open(encoding="utf-8", newline="") as fh:
        source = [(r["hs6"], r["tier"], r["hs2022_description"]) for r in csv.DictReader(fh)]
    assert [(i.hs6, i.tier, i.description) for i in load_chpl()] == source


def test_tier_definitions_are_copied(chpl_dir: Path) -> None:
    with (chpl_dir / "chpl_tiers.csv").open(encoding="utf-8", newline="") as fh:
        source = {r["tier"]: r["definition"] for r in csv.DictReader(fh)}
    assert dict(chpl_tiers()) == source
    assert chpl_tiers()["Tier 1"].startswith("Items of the highest concern")


def test_the_nine_highest_priority_codes() -> None:
    # BIS's nine codes (Tiers 1 and 2), as listed in the dossier.
    nine = {i.dotted for i in load_chpl() if i.tier in ("Tier 1", "Tier 2")}
    assert nine == {
        "8542.31", "8542.32", "8542.33", "8542.39", "8517.62", "8526.91", "8532.21", "8532.24",
        "8548.00",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("8542.31.00", "85423100"),
        ("8542.31.00.00", "8542310000"),
        ("854231", "854231"),
        (" 8542 31 00 ", "85423100"),
        ("HS 8542.31", "854231"),
        ("8542", "8542"),  # a heading: accepted, but too coarse for the CHPL
        ("85", None),
        ("85423", None),
        ("85423100001", None),
        ("8542.31a", None),
        ("N/A", None),
        ("", None),
    ],
)
def test_normalize_hs(code: str, expected: str | None) -> None:
    assert normalize_hs(code) == expected


def test_chpl_match_by_six_digit_prefix() -> None:
    item = chpl_match("8542.31.00.00")
    assert item is not None
    assert (item.dotted, item.tier, item.tier_tag) == ("8542.31", "Tier 1", "item:chpl-tier1")
    lathe = chpl_match("8458.11.0010")  # a ten-digit US tariff line
    assert lathe is not None and lathe.tier == "Tier 4.B"
    assert chpl_match("6109.10.00") is None  # cotton T-shirts
    assert chpl_match("8542") is None
    assert [i.dotted for i in chpl_in_heading("8542")] == [
        "8542.31",
        "8542.32",
        "8542.33",
        "8542.39",
    ]


def test_every_tier_is_motivated_by_a_claim() -> None:
    for item in load_chpl():
        assert claims_by_tag(item.tier_tag), item.tier


def test_hs_nomenclature_loads(hs_dir: Path) -> None:
    hs = load_hs(hs_dir)
    assert len(hs) == 6_940
    assert load_hs(hs_dir / "harmonized-system.csv") == hs
    assert hs["610910"] == "T-shirts, singlets and other vests; of cotton, knitted or crocheted"
    # Every CHPL code is an HS 2022 subheading, described in the same words.
    for item in load_chpl():
        assert hs[item.hs6] == item.description


def test_hs_loader_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_hs(tmp_path)
    (tmp_path / "harmonized-system.csv").write_text("code,text\n01,Animals\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match="not an HS nomenclature"):
        load_hs(tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tantalum capacitors 10uF", [("8532.21", ("tantalum", "capacitors"))]),
        (
            "Multilayer Ceramic Capacitors 0603 100nF",
            [("8532.24", ("Multilayer", "Ceramic", "Capacitors"))],
        ),
        ("FPGA Xilinx XC7A35T", [("8542.39", ("FPGA",))]),
        (
            "field programmable gate array",
            [("8542.39", ("field", "programmable", "gate", "array"))],
        ),
        ("Microcontroller STM32F103", [("8542.31", ("Microcontroller",))]),
        ("GNSS receiver module", [("8526.91", ("GNSS", "receiver"))]),
        ("GPS module NEO-6M", [("8526.91", ("GPS", "module"))]),
        ("ball bearings 6204-2RS", [("8482.10", ("ball", "bearings"))]),
        ("CNC lathe CK6140", [("8458.11", ("CNC", "lathe"))]),
        ("RF transceiver", [("8517.62", ("transceiver",))]),
        ("antenna 2.4 GHz", [("8529.10", ("antenna",))]),
        ("digital oscilloscope 100 MHz", [("9030.20", ("oscilloscope",))]),
    ],
)
def test_descriptions_that_name_chpl_goods(
    text: str, expected: list[tuple[str, tuple[str, ...]]]
) -> None:
    assert [(m.item.dotted, m.words) for m in match_description(text)] == expected


def test_generic_words_point_at_every_code_they_may_be() -> None:
    matches = match_description("integrated circuits, assorted")
    assert [m.item.dotted for m in matches] == ["8542.31", "8542.32", "8542.33", "8542.39"]
    assert {m.words for m in matches} == {("integrated", "circuits")}


@pytest.mark.parametrize(
    "text",
    [
        "cotton T-shirts",
        "food processor 1000W",
        "spark plug",
        "socket wrench set",
        "office chairs",
        "",
    ],
)
def test_descriptions_of_other_goods(text: str) -> None:
    assert match_description(text) == []


def test_keywords_cover_exactly_the_chpl() -> None:
    assert set(CHPL_CATEGORY_KEYWORDS) == {i.hs6 for i in load_chpl()}
    assert "tantalum capacitor" in CHPL_CATEGORY_KEYWORDS["853221"]
    assert "cnc lathe" in CHPL_CATEGORY_KEYWORDS["845811"]
