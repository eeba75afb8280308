"""FCDO UK Sanctions List parser, on the real 21-designation extract of 2026-09-07."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lists.base import ParsedList
from lists.sources import get_source
from lists.sources.uk_fcdo import LIST_URL, parse
from screening.core.model import CountryRole, EntityKind, IdentifierType, ListEntry, NameKind
from screening.errors import ListFormatError


@pytest.fixture(scope="module")
def fcdo_file(lists_dir: Path) -> Path:
    return lists_dir / "uk_fcdo" / "2026-09-07" / "uk-sanctions-list.xml"


@pytest.fixture(scope="module")
def parsed(fcdo_file: Path) -> ParsedList:
    return parse(fcdo_file.parent)


@pytest.fixture(scope="module")
def by_id(parsed: ParsedList) -> dict[str, ListEntry]:
    return {e.source_id: e for e in parsed.entries}


def test_counts_and_date(parsed: ParsedList) -> None:
    assert len(parsed.entries) == 21
    assert parsed.counts() == {"person": 14, "organization": 5, "vessel": 2}
    assert parsed.as_of == date(2026, 9, 7)  # <DateGenerated>07/09/2026</DateGenerated>
    assert parsed.skipped == []
    assert [e.source_id for e in parsed.entries][:3] == ["AFG0001", "AFG0006", "AFG0007"]


def test_names_counted(parsed: ParsedList) -> None:
    # 95 Name elements: one (BEL0174) is empty and one repeats another's name and grade.
    assert (
        sum(1 for e in parsed.entries for n in e.names if n.kind is not NameKind.ORIGINAL_SCRIPT)
        == 93
    )
    assert (
        sum(1 for e in parsed.entries for n in e.names if n.kind is NameKind.ORIGINAL_SCRIPT) == 21
    )


def test_check_bounds_fit_the_extract() -> None:
    spec = get_source("uk_fcdo").spec
    assert spec.min_entries <= 21 <= spec.max_entries


def test_russian_general(by_id: dict[str, ListEntry]) -> None:
    baranov = by_id["RUS1683"]
    assert baranov.entity_id == "uk_fcdo:RUS1683"
    primary = baranov.names[0]
    assert (primary.value, primary.kind, primary.first, primary.last) == (
        "Robert Petrovich BARANOV",
        NameKind.PRIMARY,
        "Robert",
        "BARANOV",
    )
    # "Роберт Петрович Баранов " in the file: the trailing space is gone.
    assert baranov.names[1].value == "Роберт Петрович Баранов"
    assert (baranov.names[1].kind, baranov.names[1].lang) == (NameKind.ORIGINAL_SCRIPT, "ru")
    assert baranov.birth_dates == ("1975",)  # 00/00/1975
    assert baranov.titles == (
        "Major General",
        "Director of the Main Computation Centre of the Armed Forces of Russia",
    )
    assert baranov.gender == "male"
    assert baranov.listed_on == "2022-12-13"
    assert baranov.programs == ("Russia",)
    assert baranov.legal_basis[0].title == "The Russia (Sanctions) (EU Exit) Regulations 2019"
    assert baranov.legal_basis[0].url == LIST_URL
    assert baranov.prop("ofsi_group_id") == ["15689"]
    assert "Travel Ban" in baranov.prop("sanctions")
    assert baranov.addresses[0].full == "Znamenka Street 19, Moscow, Russia"
    assert baranov.remarks is not None and "Main Computation Centre" in baranov.remarks


def test_date_placeholders_and_repeated_passport(by_id: dict[str, ListEntry]) -> None:
    akhund = by_id["AFG0006"]
    assert "1945" in akhund.birth_dates  # dd/mm/1945
    passports = [i for i in akhund.identifiers if i.type is IdentifierType.PASSPORT]
    assert [(p.value, p.country) for p in passports] == [("P04581926", "AF")]  # listed 10 times
    assert by_id["AQD0262"].birth_dates == ("1958-09",)  # dd/09/1958


def test_unknown_year_gives_no_birth_date(by_id: dict[str, ListEntry]) -> None:
    # RUS2701's only <DOB> is 15/08/19yy: no year, so no birth date rather than a guess.
    romanova = by_id["RUS2701"]
    assert romanova.primary_name == "Ekaterina ROMANOVA"
    assert romanova.birth_dates == ()


def test_national_id_with_country_in_the_number(by_id: dict[str, ListEntry]) -> None:
    ali = by_id["AQD0190"]  # <NationalIdentifierNumber>Kuwait, number 260012001546</...>
    national = [i for i in ali.identifiers if i.type is IdentifierType.NATIONAL_ID]
    assert [(i.value, i.country) for i in national] == [("260012001546", "KW")]
    assert [i.value for i in ali.identifiers if i.type is IdentifierType.UN_REF] == ["QDi.236"]


def test_entity_registration_numbers(by_id: dict[str, ListEntry]) -> None:
    evrazia = by_id["GAC0072"]  # "OGRN: 1247700291200\nKPP: 770701001\nINN: 9707028663"
    assert evrazia.kind is EntityKind.ORGANIZATION
    assert {(i.type, i.value) for i in evrazia.identifiers} == {
        (IdentifierType.OGRN, "1247700291200"),
        (IdentifierType.KPP, "770701001"),
        (IdentifierType.INN, "9707028663"),
    }
    assert evrazia.prop("website") == ["evrazia.su"]


def test_ship(by_id: dict[str, ListEntry]) -> None:
    ship = by_id["DPR0075"]
    assert ship.kind is EntityKind.VESSEL
    assert ship.primary_name == "Petrel 8"
    assert {"Jal Vahini", "Tian Tai 36"} <= {n.value for n in ship.names}
    assert [(i.type, i.value) for i in ship.identifiers] == [(IdentifierType.IMO, "9562233")]
    assert [(c.code, c.role) for c in ship.countries] == [("KM", CountryRole.FLAG)]
    assert ship.prop("previous_flag") == ["India"]
    assert ship.prop("vessel_type") == ["Bulk Carrier"]
    assert ship.prop("owner") == ["Global United Shipping India"]


def test_regime_short_names(by_id: dict[str, ListEntry]) -> None:
    assert by_id["AQD0030"].programs == ("Isil (Da'esh) and Al-Qaeda",)
    assert by_id["GAC0072"].programs == ("Global Anti-Corruption",)


def test_designation_without_type_is_skipped(fcdo_file: Path, tmp_path: Path) -> None:
    text = fcdo_file.read_text(encoding="utf-8")
    broken = text.replace("<IndividualEntityShip>Ship</IndividualEntityShip>", "", 1)
    (tmp_path / "UK-Sanctions-List.xml").write_text(broken, encoding="utf-8")
    result = parse(tmp_path)
    assert len(result.entries) == 20
    assert [(s.reason, s.ref) for s in result.skipped] == [
        ("unknown IndividualEntityShip ''", "DPR0075")
    ]


def test_truncated_and_wrong_files_are_refused(
    fcdo_file: Path, lists_dir: Path, tmp_path: Path
) -> None:
    truncated = tmp_path / "UK-Sanctions-List.xml"
    truncated.write_bytes(fcdo_file.read_bytes()[:40_000])
    with pytest.raises(ListFormatError, match="not well-formed"):
        parse(truncated)
    with pytest.raises(ListFormatError, match="not Designations"):
        parse(lists_dir / "eu_fsf" / "2026-08-05" / "fsf.xml")
    with pytest.raises(ListFormatError):
        parse(lists_dir / "us_ofac_sdn" / "2024-05-03" / "sdn.csv")


def test_external_entity_is_refused(tmp_path: Path) -> None:
    (tmp_path / "UK-Sanctions-List.xml").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE Designations [<!ENTITY e SYSTEM "file:///etc/hostname">]>\n'
        "<Designations><DateGenerated>&e;</DateGenerated></Designations>",
        encoding="utf-8",
    )
    with pytest.raises(ListFormatError, match="entities"):
        parse(tmp_path)
