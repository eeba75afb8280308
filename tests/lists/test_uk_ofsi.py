"""OFSI ConList parser, on the real workbook of 2025-04-10 and a CSV written from it."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from lists.base import ParsedList
from lists.formats.xlsx import read_rows
from lists.sources.uk_ofsi import REGIME_URL, parse
from screening.core.model import CountryRole, EntityKind, IdentifierType, ListEntry, NameKind
from screening.errors import ListFormatError


@pytest.fixture(scope="module")
def ofsi_dir(lists_dir: Path) -> Path:
    return lists_dir / "uk_ofsi" / "2025-04-10"


@pytest.fixture(scope="module")
def parsed(ofsi_dir: Path) -> ParsedList:
    # Parse speed is measured in benchmarks/lists_load.py, not asserted here.
    return parse(ofsi_dir)


@pytest.fixture(scope="module")
def by_id(parsed: ParsedList) -> dict[str, ListEntry]:
    return {e.source_id: e for e in parsed.entries}


@pytest.fixture(scope="module")
def sheet_rows(ofsi_dir: Path) -> list[list[str]]:
    """The workbook's rows as text, the way ConList.csv carries them."""
    return [
        ["" if v is None else str(v) for v in row] for row in read_rows(ofsi_dir / "ConList.xlsx")
    ]


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_counts_and_date(parsed: ParsedList, sheet_rows: list[list[str]]) -> None:
    assert len(parsed.entries) == 4686  # Group IDs
    assert len({e.entity_id for e in parsed.entries}) == len(parsed.entries)
    assert parsed.counts() == {"person": 3662, "organization": 1009, "vessel": 15}
    assert parsed.as_of == date(2025, 4, 10)  # "Last Updated" 10/04/2025 in row 1
    assert parsed.skipped == []
    assert len(sheet_rows) - 2 == 18796  # name rows under the two heading rows


def test_russian_entity_with_cyrillic_name_and_registration_numbers(
    by_id: dict[str, ListEntry],
) -> None:
    salyut = by_id["16767"]
    assert salyut.entity_id == "uk_ofsi:16767"
    assert salyut.kind is EntityKind.ORGANIZATION
    assert salyut.primary_name == "JOINT-STOCK COMPANY SCIENTIFIC AND PRODUCTION ENTERPRISE SALYUT"
    originals = [n for n in salyut.names if n.kind is NameKind.ORIGINAL_SCRIPT]
    assert 'АКЦИОНЕРНОЕ ОБЩЕСТВО "НАУЧНО-ПРОИЗВОДСТВЕННОЕ ПРЕДПРИЯТИЕ "САЛЮТ"' in [
        n.value for n in originals
    ]
    assert all(n.lang == "ru" for n in originals)  # Non-Latin Script Language "Russian"
    assert {(i.type, i.value, i.country) for i in salyut.identifiers} == {
        (IdentifierType.OGRN, "1125261000040", "RU"),
        (IdentifierType.INN, "5261079332", "RU"),
        (IdentifierType.KPP, "526101001", "RU"),
    }
    assert salyut.prop("uk_sanctions_list_ref") == ["RUS2416"]
    assert salyut.prop("legal_form") == ["Joint-Stock Company"]
    assert salyut.prop("website") == ["https://nppsalut.ru/"]
    assert salyut.prop("phone") == ["+7 (831) 211-40-00", "8 (831) 211-40-00", "8 (831) 211-41-20"]
    assert salyut.listed_on == "2025-02-24"
    basis = salyut.legal_basis[0]
    assert (basis.title, basis.url, basis.kind) == (
        "The Russia (Sanctions) (EU Exit) Regulations 2019",
        REGIME_URL,
        "regime",
    )
    assert salyut.addresses[0].city == "Nizhny Novgorod"
    # Other Information prose is kept, the labelled facts are not repeated in it.
    assert salyut.remarks is not None and "Russian defence sector" in salyut.remarks
    assert "(Phone number)" not in salyut.remarks


def test_tin_labelled_inn(by_id: dict[str, ListEntry]) -> None:
    sistema = by_id["15982"]  # "(Business Reg No):TIN - 7703104630"
    assert sistema.primary_name == "AFK SISTEMA"
    assert [(i.type, i.value) for i in sistema.identifiers] == [(IdentifierType.INN, "7703104630")]
    assert any(n.kind is NameKind.ORIGINAL_SCRIPT and "СИСТЕМА" in n.value for n in sistema.names)


def test_ship_with_imo(by_id: dict[str, ListEntry]) -> None:
    ship = by_id["13651"]
    assert ship.kind is EntityKind.VESSEL
    assert ship.primary_name == "SAM JONG 2"
    assert {"AKTIVA", "YU_JONG_3"} <= {n.value for n in ship.names if n.kind is NameKind.ALIAS}
    assert [(i.type, i.value) for i in ship.identifiers] == [(IdentifierType.IMO, "7408873")]
    assert [(c.code, c.role) for c in ship.countries] == [("KP", CountryRole.FLAG)]
    assert ship.prop("vessel_type") == ["Oil tanker"]
    assert ship.prop("previous_flag") == ["Russia"]
    assert ship.prop("year_built") == ["1975"]


def test_person_with_name_parts_and_variations(by_id: dict[str, ListEntry]) -> None:
    haq = by_id["15672"]
    assert haq.names[0].value == "Mian Abdul HAQ"
    assert (haq.names[0].first, haq.names[0].last) == ("Mian", "HAQ")  # Name 6 is the surname
    # "Primary name variation" rows are spellings of the name: aliases.
    assert {n.value for n in haq.names if n.kind is NameKind.ALIAS} == {
        "Mian MITHOO", "Mian MITHU", "Mian MITTO", "Mian MITTU",
    }  # fmt: skip
    assert haq.gender == "male"
    assert haq.titles == ("Cleric (“Pir”) of Bharchundi Sharif Shrine", "Mr")
    assert haq.legal_basis[0].title == "The Global Human Rights Sanctions Regulations 2020"


def test_person_with_passports_low_quality_aliases_and_un_ref(by_id: dict[str, ListEntry]) -> None:
    person = by_id["13194"]
    kinds = {n.value: n.kind for n in person.names}
    assert kinds["KHATTAB"] is NameKind.WEAK_ALIAS  # AKA, Low quality
    assert kinds["Ashraf Muhammad Yusif UTHMAN 'ABD-AL-SALAM"] is NameKind.ALIAS
    assert person.birth_dates == ("1984",)  # DOB 00/00/1984
    assert [(i.type, i.value) for i in person.identifiers] == [
        (IdentifierType.PASSPORT, "K048787"),
        (IdentifierType.PASSPORT, "486298"),
        (IdentifierType.UN_REF, "QDi.343"),
    ]
    assert person.identifiers[0].note == "Issued in Jordan"
    assert {(c.code, c.role) for c in person.countries} == {
        ("IQ", CountryRole.BIRTH),
        ("JO", CountryRole.NATIONALITY),
        ("SY", CountryRole.ADDRESS),
    }


def test_un_references_written_loosely(by_id: dict[str, ListEntry]) -> None:
    # "(UN Ref):QDE.145." and "(UN Ref):CDi. 038." in the list.
    refs = {
        gid: [i.value for i in by_id[gid].identifiers if i.type is IdentifierType.UN_REF]
        for gid in ("13169", "16180")
    }
    assert refs == {"13169": ["QDe.145"], "16180": ["CDi.038"]}


def test_csv_gives_the_same_entries(
    parsed: ParsedList, sheet_rows: list[list[str]], tmp_path: Path
) -> None:
    csv_file = _write_csv(tmp_path / "ConList.csv", sheet_rows)
    from_csv = parse(csv_file)
    assert from_csv.as_of == date(2025, 4, 10)
    assert from_csv.entries == parsed.entries
    assert list(from_csv.files) == ["ConList.csv"]


def test_rows_without_group_id_or_known_type_are_skipped(
    sheet_rows: list[list[str]], tmp_path: Path
) -> None:
    header = sheet_rows[1]
    group_id, group_type = header.index("Group ID"), header.index("Group Type")
    rows = [list(r) for r in sheet_rows[:200]]
    rows[5][group_id] = ""
    first_group = rows[2][group_id]
    for row in rows[2:]:
        if row[group_id] == first_group:
            row[group_type] = "Aircraft"
    result = parse(_write_csv(tmp_path / "ConList.csv", rows))
    assert ("row without Group ID", "row 6") in [(s.reason, s.ref) for s in result.skipped]
    assert ("unknown Group Type 'Aircraft'", f"Group ID {first_group}") in [
        (s.reason, s.ref) for s in result.skipped
    ]
    assert len(result.skipped) == 2


def test_wrong_files_are_refused(lists_dir: Path, ofsi_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="no ConList header"):
        parse(lists_dir / "us_ofac_sdn" / "2024-05-03" / "sdn.csv")
    with pytest.raises(ListFormatError, match="no ConList header"):
        parse(lists_dir / "un_sc" / "2026-02-27" / "consolidated.xml")
    truncated = tmp_path / "ConList.xlsx"
    truncated.write_bytes((ofsi_dir / "ConList.xlsx").read_bytes()[:100_000])
    with pytest.raises(ListFormatError, match="not an Excel"):
        parse(truncated)
