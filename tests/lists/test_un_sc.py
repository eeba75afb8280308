"""UN Security Council Consolidated List parser, on the real list of 2026-02-27."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from lists.base import ParsedList
from lists.sources import get_source
from lists.sources.un_sc import parse
from screening.core.model import CountryRole, IdentifierType, ListEntry, NameKind
from screening.errors import ListFormatError


@pytest.fixture(scope="module")
def un_dir(lists_dir: Path) -> Path:
    return lists_dir / "un_sc" / "2026-02-27"


@pytest.fixture(scope="module")
def parsed(un_dir: Path) -> ParsedList:
    return parse(un_dir)


@pytest.fixture(scope="module")
def by_id(parsed: ParsedList) -> dict[str, ListEntry]:
    return {e.source_id: e for e in parsed.entries}


def test_counts_and_date(parsed: ParsedList) -> None:
    assert len(parsed.entries) == 1003
    assert len({e.entity_id for e in parsed.entries}) == len(parsed.entries)
    assert parsed.counts() == {"person": 730, "organization": 273}
    assert parsed.as_of == date(2026, 2, 27)
    assert parsed.skipped == []
    assert list(parsed.files) == ["consolidated.xml"]


def test_regimes(parsed: ParsedList) -> None:
    programs = Counter(e.programs[0] for e in parsed.entries)
    assert programs["Al-Qaida"] == 341
    assert programs["DPRK"] == 155
    assert programs["Taliban"] == 140
    assert programs["Iran"] == 121
    assert programs["Iraq"] == 75
    assert programs["DRC"] == 53
    # Every regime in the list has its resolution and committee page.
    assert all(e.legal_basis[0].url for e in parsed.entries)


def test_registry_spec_matches() -> None:
    source = get_source("un_sc")
    assert (
        source.spec.files[0].url == "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
    )
    assert source.spec.min_entries <= 1003 <= source.spec.max_entries


def test_dprk_entity(by_id: dict[str, ListEntry]) -> None:
    komid = by_id["KPe.001"]
    assert komid.entity_id == "un_sc:KPe.001"
    assert komid.primary_name == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert [n.value for n in komid.names if n.kind is NameKind.ALIAS] == [
        "CHANGGWANG SINYONG CORPORATION",
        "EXTERNAL TECHNOLOGY GENERAL CORPORATION",
        "DPRKN MINING DEVELOPMENT TRADING COOPERATION",
        "KOMID",  # written '"KOMID"' in the list
    ]
    assert komid.listed_on == "2009-04-24"
    basis = komid.legal_basis[0]
    assert (basis.title, basis.url, basis.kind) == (
        "UNSCR 1718 (2006)",
        "https://www.un.org/securitycouncil/sanctions/1718",
        "resolution",
    )
    assert komid.addresses[0].city == "Pyongyang"
    assert komid.addresses[0].country == "KP"
    assert komid.remarks is not None and komid.remarks.startswith("Primary arms dealer")


def test_individual_with_passport_and_low_quality_aliases(by_id: dict[str, ListEntry]) -> None:
    person = by_id["QDi.020"]
    assert person.primary_name == "MOHAMMAD HAMDI MOHAMMAD SADIQ AL-AHDAL"
    assert (person.names[0].first, person.names[0].last) == ("MOHAMMAD", "SADIQ AL-AHDAL")
    kinds = {n.value: n.kind for n in person.names}
    assert kinds["محمد حمدي محمد صادق الأهدل"] is NameKind.ORIGINAL_SCRIPT
    assert kinds["Abu Asim Al-Makki"] is NameKind.WEAK_ALIAS  # QUALITY Low
    assert kinds["Ahmed"] is NameKind.WEAK_ALIAS
    assert kinds["Muhammad Muhammad Abdullah Al-Ahdal"] is NameKind.ALIAS  # QUALITY Good
    passport = next(i for i in person.identifiers if i.type is IdentifierType.PASSPORT)
    assert (passport.value, passport.country) == ("541939", "YE")
    assert passport.note is not None and "Al-Hudaydah" in passport.note
    national = next(i for i in person.identifiers if i.type is IdentifierType.NATIONAL_ID)
    assert national.value == "216040"
    assert person.birth_dates == ("1971-11-19",)
    assert person.birth_places == ("Medina, Saudi Arabia",)
    assert {(c.code, c.role) for c in person.countries} == {
        ("SA", CountryRole.BIRTH),
        ("YE", CountryRole.NATIONALITY),
        ("YE", CountryRole.ADDRESS),
    }
    assert person.legal_basis[0].title == "UNSCR 1267 (1999)/1989 (2011)/2253 (2015)"


def test_birth_date_forms(by_id: dict[str, ListEntry]) -> None:
    # TYPE_OF_DATE BETWEEN, FROM_YEAR 1955 TO_YEAR 1958, beside 1945-1950.
    assert by_id["TAi.002"].birth_dates == (
        "1955", "1956", "1957", "1958", "1945", "1946", "1947", "1948", "1949", "1950",
    )  # fmt: skip
    assert by_id["QDi.395"].birth_dates == ("1958-09",)  # <YEAR>1958</YEAR><NOTE>Sep.</NOTE>
    assert by_id["CDi.004"].birth_dates == ("1973-11",)  # only <NOTE>Nov. 1973</NOTE>
    # A Hijri date is kept aside, never read as a Gregorian one.
    asiri = by_id["QDi.291"]
    assert asiri.prop("birth_date_islamic") == ["24/06/1402 (Hijri Calendar)"]
    assert set(asiri.birth_dates) == {"1982-04-19", "1982-04-18"}


def test_round_trips_through_json(parsed: ParsedList) -> None:
    for entry in parsed.entries[:50]:
        assert ListEntry.from_dict(entry.to_dict()) == entry


def test_record_without_reference_number_is_skipped(un_dir: Path, tmp_path: Path) -> None:
    text = (un_dir / "consolidated.xml").read_text(encoding="utf-8")
    broken = tmp_path / "consolidated.xml"
    broken.write_text(
        text.replace("<REFERENCE_NUMBER>KPe.001</REFERENCE_NUMBER>", ""), encoding="utf-8"
    )
    result = parse(tmp_path)
    assert len(result.entries) == 1002
    assert [s.reason for s in result.skipped] == ["no REFERENCE_NUMBER"]
    assert result.skipped[0].ref.startswith("ENTITIES/ENTITY[")


def test_truncated_file_is_refused(un_dir: Path, tmp_path: Path) -> None:
    data = (un_dir / "consolidated.xml").read_bytes()
    (tmp_path / "consolidated.xml").write_bytes(data[: len(data) // 2])
    with pytest.raises(ListFormatError, match="not well-formed"):
        parse(tmp_path)


def test_external_entity_is_refused(tmp_path: Path) -> None:
    (tmp_path / "consolidated.xml").write_text(
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&xxe;</FIRST_NAME>"
        "<REFERENCE_NUMBER>QDi.999</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
        encoding="utf-8",
    )
    with pytest.raises(ListFormatError, match="entities"):
        parse(tmp_path)


def test_wrong_file_is_refused(lists_dir: Path) -> None:
    with pytest.raises(ListFormatError):
        parse(lists_dir / "us_ofac_sdn" / "2024-05-03" / "sdn.csv")
    with pytest.raises(ListFormatError, match="not CONSOLIDATED_LIST"):
        parse(lists_dir / "uk_fcdo" / "2026-09-07" / "uk-sanctions-list.xml")


def test_folder_without_the_list_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="consolidated.xml"):
        parse(tmp_path)
