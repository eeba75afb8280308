"""The BIS Denied Persons List parser, on the real ``dpl.txt`` of 2023-11-16.

SOURCES.md: 665 rows, one per denial order and address, with one typo'd
``Last_Update`` of 3033-09-30. Rows of one name are one entry (544 names).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from lists.base import ParsedList
from lists.sources import get_source
from lists.sources.us_bis_dpl import name_key, parse, source_id
from screening.core.model import (
    Address,
    Country,
    CountryRole,
    EntityKind,
    LegalBasis,
    ListEntry,
    NameKind,
)
from screening.errors import ListFormatError

HEADER = (
    '"Name"\t"Street_Address"\t"City"\t"State"\t"Country"\t"Postal_Code"\t"Effective_Date"\t'
    '"Expiration_Date"\t"Standard_Order"\t"Last_Update"\t"Action"\t"FR_Citation"\n'
)


@pytest.fixture(scope="module")
def dpl(lists_dir: Path) -> ParsedList:
    return parse(lists_dir / "us_bis_dpl" / "2023-11-16")


def entry_for(parsed: ParsedList, name: str) -> ListEntry:
    (found,) = [e for e in parsed.entries if e.source_id == source_id(name)]
    return found


def test_counts(dpl: ParsedList) -> None:
    assert dpl.source == "us_bis_dpl"
    assert dpl.records == 665
    assert dpl.skipped == []
    assert len(dpl.entries) == 544  # distinct names after folding case and punctuation
    assert len({e.entity_id for e in dpl.entries}) == 544
    assert str(dpl.as_of) == "2023-11-16"
    assert list(dpl.files) == ["dpl.txt"]


def test_every_entry_cites_a_federal_register_notice(dpl: ParsedList) -> None:
    for entry in dpl.entries:
        assert entry.legal_basis, entry.primary_name
        assert all(b.kind == "federal_register" for b in entry.legal_basis)
        assert any(
            b.url and b.url.startswith("https://www.federalregister.gov/citation/")
            for b in entry.legal_basis
        )


def test_id_is_a_hash_of_the_folded_name(dpl: ParsedList) -> None:
    assert name_key("AL-NASER  AIRLINES") == name_key("al naser airlines") == "al naser airlines"
    expected = hashlib.sha256(b"al naser airlines").hexdigest()[:12]
    assert source_id("AL-NASER  AIRLINES") == expected
    assert entry_for(dpl, "AL NASER AIRLINES").entity_id == f"us_bis_dpl:{expected}"


def test_rows_of_one_name_are_one_entry(dpl: ParsedList) -> None:
    # Seven rows: four as "AL NASER AIRLINES", three as "AL-NASER  AIRLINES".
    airline = entry_for(dpl, "AL NASER AIRLINES")
    assert airline.kind is EntityKind.ORGANIZATION
    assert [(n.value, n.kind) for n in airline.names] == [
        ("AL NASER AIRLINES", NameKind.PRIMARY),
        ("AL-NASER AIRLINES", NameKind.ALIAS),
    ]
    assert [a.city for a in airline.addresses] == ["BAGHDAD", "BAGHDAD", "DUBAI", "AMMAN"]
    assert [c.code for c in airline.countries] == ["IQ", "AE", "JO"]
    assert airline.listed_on == "2023-10-31"
    # One row cites "86 F.R. 66277 11/22/201"; the date of the other rows' citation wins.
    basis = {b.title: b for b in airline.legal_basis}["86 FR 66277"]
    assert basis == LegalBasis(
        "86 FR 66277",
        "https://www.federalregister.gov/citation/86-FR-66277",
        "2021-11-22",
        "federal_register",
    )


def test_person_denied_by_two_orders(dpl: ParsedList) -> None:
    ash = entry_for(dpl, "I. ASH")
    assert ash.kind is EntityKind.PERSON
    assert ash.prop("kind_guessed") == ["true"]
    assert ash.primary_name == "I. ASH"
    assert ash.listed_on == "2002-03-04"
    assert ash.prop("effective_date") == ["2002-03-04", "2003-06-19"]
    assert [b.title for b in ash.legal_basis] == [
        "68 FR 38290", "71 FR 38843", "72 FR 4236", "67 FR 56530", "67 FR 10890",
    ]  # fmt: skip
    assert [a.city for a in ash.addresses] == ["SEAGOVILLE", "RICHARDSON", "RICHARDSON"]
    assert all(a.country == "US" for a in ash.addresses)  # state and ZIP, no country given


def test_typo_in_last_update_is_kept(dpl: ParsedList) -> None:
    garcia = entry_for(dpl, "JOSE ERNESTO GARCIA")
    assert garcia.prop("last_update") == ["3033-09-30"]
    assert garcia.listed_on == "2022-09-26"
    assert garcia.prop("expiration_date") == ["2030-02-03"]
    assert garcia.legal_basis == (
        LegalBasis(
            "87 FR 59396",
            "https://www.federalregister.gov/citation/87-FR-59396",
            "2022-09-30",
            "federal_register",
        ),
    )
    assert garcia.addresses == (
        Address(
            full="1502 HOLBROOK ROAD, #20, SAN ANTONIO, TX, 78218, US",
            street="1502 HOLBROOK ROAD, #20",
            city="SAN ANTONIO",
            postal_code="78218",
            region="TX",
            country="US",
        ),
    )


def test_inline_alias_and_country_spellings(dpl: ParsedList) -> None:
    sun = entry_for(dpl, "FUYI SUN A/K/A FRANK SUN")
    assert [(n.value, n.kind) for n in sun.names] == [
        ("FUYI SUN", NameKind.PRIMARY),
        ("FRANK SUN", NameKind.ALIAS),
    ]
    hu = entry_for(dpl, "JOHNSON HU")  # Country column "PRC"
    assert hu.countries == (Country("CN", CountryRole.ADDRESS),)
    assert entry_for(dpl, "AIR FREIGHT LTD").kind is EntityKind.ORGANIZATION


def test_single_file_and_skipped_rows(tmp_path: Path) -> None:
    path = tmp_path / "denied.tsv"
    path.write_text(
        HEADER
        + '"JOSE ERNESTO GARCIA"\t"1502 HOLBROOK ROAD, #20"\t"SAN ANTONIO"\t"TX"\t""\t"78218"\t'
        '"09/26/2022"\t"02/03/2030"\t"Y"\t"3033-09-30"\t"F.R. NOTICE ADDED"\t"87 F.R. 59396 9/30/2022"\n'
        '"CUT OFF"\t"1 MAIN STREET"\n'
        '""\t""\t""\t""\t""\t""\t"01/01/2020"\t""\t""\t""\t""\t"85 FR 1"\n',
        encoding="utf-8",
    )
    parsed = parse(path)
    assert parsed.records == 3
    assert [e.primary_name for e in parsed.entries] == ["JOSE ERNESTO GARCIA"]
    assert [(s.reason, s.ref) for s in parsed.skipped] == [
        ("row has 2 fields, expected 12", "line 3"),
        ("no name", "line 4"),
    ]
    assert parsed.as_of is not None and str(parsed.as_of) == "2022-09-26"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"Name,Street,City\nX,Y,Z\n", "not the tab-separated DPL layout"),
        (b"\x81\x8d\x8f\x90\x9d", "neither UTF-8 nor Windows-1252"),
    ],
)
def test_malformed_files_raise(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "dpl.txt").write_bytes(content)
    with pytest.raises(ListFormatError, match=message):
        parse(tmp_path)


def test_registered_source() -> None:
    source = get_source("us_bis_dpl")
    assert source.parse is parse
    assert source.spec.files[0].name == "dpl.txt"
    assert source.spec.min_entries <= 544 <= source.spec.max_entries
