"""The trade.gov Consolidated Screening List parser, on the real CSV files.

Facts asserted come from docs of the shared data (SOURCES.md: 14,160 rows and the
per-sub-list counts of the 2022 copy, 4,227 rows of the 2023 extract) and from
the rows themselves. No real JSON copy exists, so the JSON tests convert real
CSV rows into the CSL API shape and expect the same entries.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lists.base import ParsedList
from lists.sources import get_source
from lists.sources.us_csl import parse
from screening.core.model import (
    Address,
    Country,
    CountryRole,
    EntityKind,
    Identifier,
    IdentifierType,
    LegalBasis,
    ListEntry,
    NameKind,
)
from screening.errors import ListFormatError

MULTI_VALUED = ("programs", "addresses", "alt_names", "citizenships", "dates_of_birth",
                "nationalities", "places_of_birth", "ids")  # fmt: skip


@pytest.fixture(scope="module")
def full(lists_dir: Path) -> ParsedList:
    return parse(lists_dir / "us_csl" / "2022-04-21")


@pytest.fixture(scope="module")
def sample_file(shared_dir: Path) -> Path:
    return shared_dir / "data" / "extra" / "us_csl_sample_2025-06" / "consolidated.csv"


def by_id(parsed: ParsedList) -> dict[str, ListEntry]:
    return {e.source_id: e for e in parsed.entries}


def sublists(parsed: ParsedList) -> Counter[str]:
    return Counter(code for e in parsed.entries for code in e.prop("csl_source"))


def test_full_2022_copy_counts(full: ParsedList) -> None:
    assert full.source == "us_csl"
    assert full.records == 14_160
    assert full.skipped == []
    assert str(full.as_of) == "2022-04-21"
    assert list(full.files) == ["consolidated.csv.gz"]
    # 112 rows repeat an _id on another sub-list (SDN and CAPTA, SSI and NS-MBS, ...).
    assert len(full.entries) == 14_048
    assert len({e.entity_id for e in full.entries}) == 14_048


def test_full_2022_sub_lists(full: ParsedList) -> None:
    # SOURCES.md counts rows; CAPTA lists BANK OF KUNLUN (15268) twice, hence 52 entries for 53 rows.
    assert sublists(full) == {
        "SDN": 10_026, "EL": 2_001, "DTC": 727, "DPL": 462, "SSI": 290, "UVL": 201, "ISN": 163,
        "PLC": 78, "MEU": 71, "CMIC": 68, "CAP": 52, "NS-MBS": 17, "FSE": 3,
    }  # fmt: skip
    kunlun = by_id(full)["15268"]
    assert kunlun.prop("csl_source") == ["CAP"]
    assert kunlun.primary_name == "BANK OF KUNLUN CO LTD"
    assert Identifier(IdentifierType.SWIFT, "CKLBCNBJ", None, "SWIFT/BIC") in kunlun.identifiers


def test_rows_of_one_party_on_two_sub_lists_merge(full: ParsedList) -> None:
    arimero = by_id(full)["34616"]
    assert arimero.entity_id == "us_csl:34616"
    assert arimero.prop("csl_source") == ["CAP", "SDN"]
    assert arimero.programs == ("CAP", "SDN", "RUSSIA-EO14024")
    assert arimero.primary_name == "ARIMERO HOLDING LIMITED"
    assert arimero.linked_to == ("PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA",)
    assert arimero.addresses == (
        Address(full="Agiou Andreou, 332, Partician Chambers, Limassol, 3035, CY", country="CY"),
    )


def test_sdn_company_with_russian_tax_number(full: ParsedList) -> None:
    # 2022 files write ids label last: "RU, 7736640919, Tax ID No.".
    wolf = by_id(full)["22554"]
    assert wolf.kind is EntityKind.ORGANIZATION
    assert wolf.primary_name == "'WOLF' HOLDING OF SECURITY STRUCTURES"
    assert "WOLF HOLDING COMPANY" in [n.value for n in wolf.names if n.kind is NameKind.ALIAS]
    assert wolf.identifiers == (Identifier(IdentifierType.INN, "7736640919", "RU", "Tax ID No."),)
    assert wolf.programs == ("SDN", "UKRAINE-EO13660")


def test_vessel(full: ParsedList) -> None:
    vessel = by_id(full)["23156"]
    assert vessel.kind is EntityKind.VESSEL
    assert vessel.primary_name == "7-28"
    assert (
        Identifier(IdentifierType.IMO, "8898831", None, "Vessel Registration Identification")
        in vessel.identifiers
    )
    assert (
        Country("KP", CountryRole.FLAG, "Democratic People's Republic of Korea") in vessel.countries
    )


def test_untyped_sub_lists_get_a_guessed_kind(full: ParsedList) -> None:
    dtc = [e for e in full.entries if e.prop("csl_source") == ["DTC"]]
    assert all(e.prop("kind_guessed") == ["true"] for e in dtc)
    names = {e.primary_name: e.kind for e in dtc}
    assert names["A & C International Trade, Inc."] is EntityKind.ORGANIZATION
    # SDN rows say their type; nothing is guessed there.
    assert not any(e.prop("kind_guessed") for e in full.entries if "SDN" in e.prop("csl_source"))


def test_windows_1252_characters_are_repaired(full: ParsedList) -> None:
    names = [e.primary_name for e in full.entries]
    assert "CAST Xi’an Spaceflight Engine Factory" in names
    assert not any("\x92" in n for n in names)


def test_extract_2023_with_two_header_rows_and_a_cut_off_row(shared_dir: Path) -> None:
    parsed = parse(shared_dir / "data" / "extra" / "us_csl_extract_2023-11-16" / "csl.csv")
    assert parsed.records == 4_227
    # The file ends in the middle of an SDN row: counted, not parsed.
    assert [s.reason for s in parsed.skipped] == ["row has 8 fields, expected 29"]
    assert "_id" not in by_id(parsed)
    assert len(parsed.entries) == 4_219  # 4,226 complete rows, 7 of them repeat an _id
    counts = sublists(parsed)
    assert counts["SDN"] == 1_738 - 1
    assert (counts["EL"], counts["DPL"], counts["SSI"], counts["UVL"]) == (919, 577, 288, 186)
    assert str(parsed.as_of) == "2023-11-16"  # latest start_date; the folder name is no date


def test_sample_2025_entries(sample_file: Path) -> None:
    parsed = parse(sample_file)
    assert parsed.records == 13 and len(parsed.entries) == 13 and parsed.skipped == []
    entries = by_id(parsed)

    # 2025 files write ids label first: "Passport, 836238033, KP".
    rim = entries["52291"]
    assert rim.kind is EntityKind.PERSON
    assert rim.primary_name == "RIM, Ryong Nam"
    assert rim.identifiers == (Identifier(IdentifierType.PASSPORT, "836238033", "KP", "Passport"),)
    assert rim.gender == "male"
    assert rim.birth_dates == ("1978-12-05",)
    assert Country("KP", CountryRole.NATIONALITY) in rim.countries
    assert [a.country for a in rim.addresses] == ["CN", "KP"]

    meu = entries["66f6ab3f26234b75a9093fce79ef0ce0"]
    assert meu.prop("csl_source") == ["MEU"]
    assert meu.legal_basis == (
        LegalBasis(
            title="85 FR 83799",
            url="https://www.federalregister.gov/citation/85-FR-83799",
            date="2020-12-23",
            kind="federal_register",
        ),
    )
    assert meu.prop("license_requirement") == [
        "For any item subject to the EAR listed in supplement no. 2 to part 744."
    ]

    isn = entries["233a4d725770c81fb561ffe3842c14010c2201971d6be62eca1e613b"]
    assert isn.primary_name == "Sinobright Import and Export Company"
    assert isn.prop("includes_successors") == ["true"]
    assert isn.legal_basis[0].title == "Vol. 88, No. 151, 08/08/2023"
    assert isn.legal_basis[0].date == "2023-08-08" and isn.legal_basis[0].url is None

    sme = entries["18283"]
    assert Identifier(IdentifierType.SWIFT, "RUDVRUMM", None, "SWIFT/BIC") in sme.identifiers
    assert sme.prop("email") == [] and entries["18300"].prop("email") == ["hrm@rosneft-sh.com.cy"]


def csv_rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if row["_id"] != "_id"]


def as_api_json(rows: list[dict[str, str]]) -> dict[str, Any]:
    """Rows of the CSV in the CSL API's JSON shape: lists instead of "; "-joined cells."""
    results = []
    for row in rows:
        item: dict[str, Any] = dict(row)
        for key in MULTI_VALUED:
            item[key] = [v.strip() for v in row[key].split(";") if v.strip()]
        results.append(item)
    return {"total": len(results), "results": results}


def test_json_gives_the_same_entries_as_csv(sample_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "consolidated.json"
    target.write_text(json.dumps(as_api_json(csv_rows(sample_file))), encoding="utf-8")
    from_json = parse(tmp_path)
    assert list(from_json.files) == ["consolidated.json"]
    assert from_json.entries == parse(sample_file).entries


def test_gzipped_json_of_2022_rows(full: ParsedList, lists_dir: Path, tmp_path: Path) -> None:
    wanted = {"34616", "22554", "23156", "15268"}
    rows = [
        r
        for r in csv_rows(lists_dir / "us_csl" / "2022-04-21" / "consolidated.csv.gz")
        if r["_id"] in wanted
    ]
    target = tmp_path / "consolidated.json.gz"
    target.write_bytes(gzip.compress(json.dumps(as_api_json(rows)).encode()))
    parsed = parse(target)
    assert parsed.records == 6  # 34616 and 15268 have two rows each
    expected = by_id(full)
    assert {e.source_id: e for e in parsed.entries} == {k: expected[k] for k in wanted}


def test_json_with_api_address_and_id_objects(tmp_path: Path) -> None:
    # ARIMERO HOLDING LIMITED (SDN 34616) as the CSL API returns it: addresses and ids as objects.
    record = {
        "id": "34616",
        "source": "Specially Designated Nationals (SDN) - Treasury Department",
        "entity_number": 34616,
        "type": "Entity",
        "programs": ["RUSSIA-EO14024"],
        "name": "ARIMERO HOLDING LIMITED",
        "addresses": [{"address": "Agiou Andreou, 332, Partician Chambers", "city": "Limassol",
                       "state": None, "postal_code": "3035", "country": "CY"}],
        "ids": [{"type": "Registration Number", "number": "C146742", "country": "CY",
                 "issue_date": None, "expiration_date": None}],
        "alt_names": [],
    }  # fmt: skip
    (tmp_path / "consolidated.json").write_text(json.dumps({"results": [record]}), encoding="utf-8")
    (entry,) = parse(tmp_path).entries
    assert entry.entity_id == "us_csl:34616"
    assert entry.addresses == (
        Address(
            full="Agiou Andreou, 332, Partician Chambers, Limassol, 3035, CY",
            street="Agiou Andreou, 332, Partician Chambers",
            city="Limassol",
            postal_code="3035",
            country="CY",
        ),
    )
    assert entry.identifiers == (
        Identifier(IdentifierType.REGISTRATION, "C146742", "CY", "Registration Number"),
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("consolidated.csv", b"", "empty"),
        ("consolidated.csv", b"a,b,c\n1,2,3\n", "missing columns _id, source, name"),
        ("consolidated.json", b'{"total": 0}', "not the CSL JSON shape"),
        ("consolidated.json", b'{"results": [', "not valid JSON"),
        ("consolidated.csv", b"\xff\xfe_\x00i\x00d\x00", "not UTF-8"),
    ],
)
def test_malformed_files_raise(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ListFormatError, match=message):
        parse(tmp_path)


def test_truncated_gzip_raises(lists_dir: Path, tmp_path: Path) -> None:
    data = (lists_dir / "us_csl" / "2022-04-21" / "consolidated.csv.gz").read_bytes()
    (tmp_path / "consolidated.csv.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ListFormatError, match="truncated gzip"):
        parse(tmp_path)


def test_folder_without_csl_file_raises(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="no CSL file"):
        parse(tmp_path)


def test_registered_source() -> None:
    source = get_source("us_csl")
    assert source.parse is parse
    assert source.spec.files[0].name == "consolidated.csv"
    assert source.spec.min_entries <= 14_048 <= source.spec.max_entries
