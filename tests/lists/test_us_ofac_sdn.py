"""The us_ofac_sdn source on the real SDN files (legacy CSV sets and the 2014 SDN.XML extract).

Counts and named facts come from data/SOURCES.md and from the files themselves
(read with the plain ``csv`` module where a test checks a join).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from lists.base import ParsedList, SourceSpec
from lists.sources import get_source, us_ofac_sdn
from screening.core.model import (
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


@pytest.fixture(scope="module")
def sdn_dir(lists_dir: Path) -> Path:
    return lists_dir / "us_ofac_sdn"


@pytest.fixture(scope="module")
def may_2024(sdn_dir: Path) -> ParsedList:
    return us_ofac_sdn.parse(sdn_dir / "2024-05-03")


@pytest.fixture(scope="module")
def july_2021(sdn_dir: Path) -> ParsedList:
    return us_ofac_sdn.parse(sdn_dir / "2021-07-07")


def by_id(parsed: ParsedList) -> dict[str, ListEntry]:
    return {e.source_id: e for e in parsed.entries}


def read_rows(path: Path, columns: int) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [row for row in csv.reader(fh) if len(row) == columns]


def test_spec_loads() -> None:
    spec = SourceSpec.load("us_ofac_sdn")
    assert spec.format == "ofac-legacy-csv"
    assert [f.name for f in spec.files] == ["sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"]
    assert [f.optional for f in spec.files] == [False, True, True, True]
    assert get_source("us_ofac_sdn").parse is us_ofac_sdn.parse


def test_may_2024_counts(may_2024: ParsedList) -> None:
    assert len(may_2024.entries) == 14_965
    assert may_2024.counts() == {
        "person": 6_854,
        "vessel": 851,
        "aircraft": 376,
        "organization": 6_884,
    }
    assert may_2024.as_of == date(2024, 5, 3)
    assert may_2024.skipped == []
    assert sorted(may_2024.files) == ["add.csv", "alt.csv", "sdn.csv", "sdn_comments.csv"]
    assert may_2024.files["sdn.csv"].startswith("210ca6b4a8187a34")
    assert may_2024.files["add.csv"].startswith("c3baf64ca27529fc")
    assert all(e.entity_id == f"us_ofac_sdn:{e.source_id}" for e in may_2024.entries)


def test_snapshots_without_companions(sdn_dir: Path) -> None:
    april_2 = us_ofac_sdn.parse(sdn_dir / "2024-04-02")
    april_15 = us_ofac_sdn.parse(sdn_dir / "2024-04-15")
    assert list(april_2.files) == ["sdn.csv"]
    assert april_2.as_of == date(2024, 4, 2)
    assert april_2.counts() == {
        "person": 6_773,
        "vessel": 818,
        "aircraft": 382,
        "organization": 6_587,
    }
    assert april_15.counts() == {
        "person": 6_786,
        "vessel": 831,
        "aircraft": 382,
        "organization": 6_599,
    }
    before, after = by_id(april_2), by_id(april_15)
    assert len(after.keys() - before.keys()) == 40
    assert before.keys() - after.keys() == {"39136", "39137"}
    assert before["39136"].primary_name == "STANKOVIC, Slobodan"
    # 39693 was renamed YOUNG YONG -> SAINT LIGHT and got a call sign.
    assert before["39693"].primary_name == "YOUNG YONG"
    assert after["39693"].primary_name == "SAINT LIGHT"
    assert (
        Identifier(IdentifierType.CALL_SIGN, "8RAR1", note="Call_Sign")
        in after["39693"].identifiers
    )
    assert not any(i.type is IdentifierType.CALL_SIGN for i in before["39693"].identifiers)
    # 46788 got a new passport number in Remarks.
    passports = {
        name: [i.value for i in snapshot["46788"].identifiers if i.type is IdentifierType.PASSPORT]
        for name, snapshot in (("before", before), ("after", after))
    }
    assert passports == {"before": ["8708321052"], "after": ["8705080546"]}


def test_person_46788(may_2024: ParsedList) -> None:
    entry = by_id(may_2024)["46788"]
    assert entry.kind is EntityKind.PERSON
    primary = entry.names[0]
    assert primary.kind is NameKind.PRIMARY
    assert (primary.value, primary.first, primary.last) == (
        "PERETYATKO, Ruslan Aleksandrovich",
        "Ruslan Aleksandrovich",
        "PERETYATKO",
    )
    assert entry.birth_dates == ("1985-08-03",)
    assert entry.gender == "male"
    assert entry.programs == ("CYBER2",)
    assert Identifier(IdentifierType.PASSPORT, "8705080546", "RU", "Passport") in entry.identifiers
    assert Identifier(IdentifierType.INN, "111601632100", "RU", "Tax ID No.") in entry.identifiers
    assert Country("RU", CountryRole.NATIONALITY, "Russia") in entry.countries
    # add.csv row 69726: "Syktyvkar, Komi Republic", Russia
    assert [a.full for a in entry.addresses] == ["Syktyvkar, Komi Republic, Russia"]
    assert entry.addresses[0].country == "RU"
    assert entry.remarks is not None and entry.remarks.startswith(
        "DOB 03 Aug 1985; nationality Russia"
    )
    assert entry.prop("source_url") == [
        "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=46788"
    ]


def test_vessel_39693(may_2024: ParsedList) -> None:
    entry = by_id(may_2024)["39693"]
    assert entry.kind is EntityKind.VESSEL
    assert entry.primary_name == "SAINT LIGHT"
    assert {(n.value, n.kind) for n in entry.names[1:]} == {
        ("STELLAR ORACLE", NameKind.ALIAS),
        ("YOUNG YONG", NameKind.ALIAS),
    }
    assert {(i.type, i.value) for i in entry.identifiers} == {
        (IdentifierType.CALL_SIGN, "8RAR1"),
        (IdentifierType.IMO, "9194127"),
        (IdentifierType.MMSI, "750514000"),
    }
    assert Country("GY", CountryRole.FLAG, "Guyana") in entry.countries
    assert entry.prop("vessel_type") == ["Oil Products Tanker"]
    assert entry.linked_to == ("TECHNOLOGY BRIGHT INTERNATIONAL LIMITED",)
    # add.csv gives this vessel an all-empty address row: no address at all.
    assert entry.addresses == ()


def test_vessel_columns_4243(may_2024: ParsedList) -> None:
    entry = by_id(may_2024)["4243"]  # EBANO
    assert entry.prop("tonnage") == ["2595"]
    assert entry.prop("gross_registered_tonnage") == ["1865"]
    assert Country("PA", CountryRole.FLAG, "Panama") in entry.countries
    # Former names from Remarks ("f.k.a. 'ANA I'"), after the primary name.
    assert [(n.value, n.kind) for n in entry.names] == [
        ("EBANO", NameKind.PRIMARY),
        ("ANA I", NameKind.FORMER),
        ("SAND SWAN", NameKind.FORMER),
    ]


def test_russian_companies_and_legal_basis(may_2024: ParsedList) -> None:
    entries = by_id(may_2024)
    alfa = entries["34682"]
    assert {(i.type, i.value) for i in alfa.identifiers} >= {
        (IdentifierType.INN, "7728168971"),
        (IdentifierType.OGRN, "1027700067328"),
        (IdentifierType.SWIFT, "ALFARUMM"),
    }
    assert alfa.legal_basis == (
        LegalBasis(
            title="RUSSIA-EO14024",
            url="https://ofac.treasury.gov/sanctions-programs-and-country-information/"
            "russian-harmful-foreign-activities-sanctions",
            kind="program",
        ),
    )
    sber = entries["17018"]
    assert sber.programs == ("UKRAINE-EO13662", "RUSSIA-EO14024")
    # Tax ID and Registration Number sit past the 1,000-character cut, in sdn_comments.csv.
    assert {(i.type, i.value) for i in sber.identifiers} >= {
        (IdentifierType.INN, "7707083893"),
        (IdentifierType.OGRN, "1027700132195"),
    }
    assert [n.value for n in sber.names if n.kind is NameKind.WEAK_ALIAS] == [
        "SBERBANK INDIA",
        "SBERBANK MUMBAI",
    ]


def test_comments_join_only_cut_remarks(may_2024: ParsedList) -> None:
    entries = by_id(may_2024)
    # 47682's weak aliases run on into sdn_comments.csv.
    weak = [n.value for n in entries["47682"].names if n.kind is NameKind.WEAK_ALIAS]
    assert "@BASSTERLORD 0170742922" in weak and weak[-1] == "INVESTORLIFE1"
    # 44718's Remarks are cut just after a space: the join must keep it.
    remarks_44718 = entries["44718"].remarks
    assert remarks_44718 is not None
    assert "Owned or Controlled By U.S. Financial Institutions: North Korea" in remarks_44718
    assert entries["44718"].prop("transactions_prohibited") == [
        "North Korea Sanctions Regulations section 510.214"
    ]
    # 34682's Remarks (947 characters) are whole in this sdn.csv; the 2025
    # comments row belongs to a longer, later version and must not be appended.
    remarks = entries["34682"].remarks
    assert remarks is not None and len(remarks) == 947
    assert remarks.endswith("Registration Number 1027700067328 (Russia).")


def test_weak_alias_and_addresses_306(may_2024: ParsedList) -> None:
    entry = by_id(may_2024)["306"]
    assert entry.kind is EntityKind.ORGANIZATION
    assert [(n.value, n.kind) for n in entry.names] == [
        ("BANCO NACIONAL DE CUBA", NameKind.PRIMARY),
        ("NATIONAL BANK OF CUBA", NameKind.ALIAS),
        ("BNC", NameKind.WEAK_ALIAS),
    ]
    zurich = entry.addresses[0]
    assert (zurich.street, zurich.city, zurich.postal_code, zurich.country) == (
        "Zweierstrasse 35",
        "Zurich",
        "CH-8022",
        "CH",
    )
    assert [a.country for a in entry.addresses] == ["CH", "ES", "JP", "PA"]


def test_remarks_are_kept_whole(sdn_dir: Path, may_2024: ParsedList) -> None:
    """Every entry's remarks are the Remarks column (plus its comments continuation)."""
    rows = read_rows(sdn_dir / "2024-05-03" / "sdn.csv", 12)
    entries = by_id(may_2024)
    for row in rows:
        raw = row[11].strip()
        remarks = entries[row[0]].remarks
        if raw == "-0-":
            assert remarks is None
        else:
            assert remarks is not None and remarks.startswith(raw)


def test_july_2021_joins(sdn_dir: Path, july_2021: ParsedList) -> None:
    """The self-consistent 2021 set: every alias and address row lands on its entry."""
    assert len(july_2021.entries) == 8_976
    assert july_2021.skipped == []
    entries = by_id(july_2021)
    alt_rows = read_rows(sdn_dir / "2021-07-07" / "alt.csv", 5)
    assert len(alt_rows) == 11_910
    kinds = {"aka": NameKind.ALIAS, "fka": NameKind.FORMER, "nka": NameKind.ALIAS}
    for ent_num, _, alt_type, alt_name, _ in alt_rows:
        names = {(n.value, n.kind) for n in entries[ent_num].names}
        assert (alt_name.strip(), kinds[alt_type]) in names, (ent_num, alt_name)
    add_rows = read_rows(sdn_dir / "2021-07-07" / "add.csv", 6)
    assert len(add_rows) == 13_837
    for ent_num, _, street, city, country, _ in add_rows:
        parts = [p.strip() for p in (street, city, country) if p.strip() != "-0-"]
        if parts:
            assert ", ".join(parts) in {a.full for a in entries[ent_num].addresses}
    # 28263's remarks were cut inside a weak alias: "a.k.a. 'snowsjo" + "hn'; Linked To: ...".
    entry = entries["28263"]
    assert "snowsjohn" in [n.value for n in entry.names if n.kind is NameKind.WEAK_ALIAS]
    assert entry.linked_to == ("LAZARUS GROUP",)


def test_sdn_xml_2014_extract(shared_dir: Path) -> None:
    parsed = us_ofac_sdn.parse(
        shared_dir / "data" / "extra" / "ofac_xml_2014" / "sdn_2014-07-16_extract.xml"
    )
    assert len(parsed.entries) == 4
    assert parsed.as_of == date(2014, 7, 16)
    assert list(parsed.files) == ["sdn_2014-07-16_extract.xml"]
    entries = by_id(parsed)
    assert set(entries) == {"306", "6982", "11043", "521"}
    cuba = entries["306"]
    assert {(n.value, n.kind) for n in cuba.names} >= {
        ("BNC", NameKind.WEAK_ALIAS),
        ("NATIONAL BANK OF CUBA", NameKind.ALIAS),
    }
    person = entries["6982"]
    assert person.kind is EntityKind.PERSON
    assert (person.names[0].first, person.names[0].last) == ("Ahmed Nur Ali", "JIM'ALE")
    assert person.birth_dates == ("1954-05-20", "1954")
    assert person.birth_places == ("Eilbur, Somalia",)
    assert (
        Identifier(
            IdentifierType.PASSPORT,
            "A0181988",
            "SO",
            "Passport; issued 01 Oct 2001 expires 23 Jan 2011",
        )
        in person.identifiers
    )
    assert {c.code for c in person.countries if c.role is CountryRole.CITIZENSHIP} == {"SO", "DJ"}
    vessel = entries["11043"]
    assert vessel.kind is EntityKind.VESSEL
    assert [(i.type, i.value) for i in vessel.identifiers] == [(IdentifierType.IMO, "9051648")]
    assert [n.value for n in vessel.names if n.kind is NameKind.FORMER] == [
        "IRAN BRIGHTNESS",
        "BRIGHTNESS",
        "MARIGOLD",
    ]
    assert vessel.prop("vessel_owner") == ["IRISL"]


# --- malformed input ------------------------------------------------------------


def write_slice(source: Path, target: Path, size: int) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes()[:size])


def test_truncated_csv_is_refused(sdn_dir: Path, tmp_path: Path) -> None:
    # Cut the real file in the middle of a row.
    write_slice(sdn_dir / "2024-05-03" / "sdn.csv", tmp_path / "2024-05-03" / "sdn.csv", 100_000)
    with pytest.raises(ListFormatError, match="truncated"):
        us_ofac_sdn.parse(tmp_path / "2024-05-03")


def test_wrong_format_csv_is_refused(sdn_dir: Path, tmp_path: Path) -> None:
    # alt.csv's five columns are not the SDN format.
    (tmp_path / "sdn.csv").write_bytes((sdn_dir / "2021-07-07" / "alt.csv").read_bytes())
    with pytest.raises(ListFormatError, match="not an OFAC legacy CSV"):
        us_ofac_sdn.parse(tmp_path)


def test_xml_of_another_list_is_refused(lists_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="root element"):
        us_ofac_sdn.parse(lists_dir / "un_sc" / "2026-02-27" / "consolidated.xml")
    (tmp_path / "SDN.XML").write_bytes(b"<sdnList><publshInformation>")  # cut short
    with pytest.raises(ListFormatError, match="not well-formed"):
        us_ofac_sdn.parse(tmp_path)


def test_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="no OFAC list file"):
        us_ofac_sdn.parse(tmp_path)


def test_malformed_rows_are_counted(sdn_dir: Path, tmp_path: Path) -> None:
    lines = (sdn_dir / "2021-07-07" / "sdn.csv").read_bytes().split(b"\r\n")[:50]
    lines[10] = lines[10].rsplit(b",", 1)[0]  # drop the Remarks column
    lines[20] = b"X" + lines[20]  # ent_num no longer a number
    lines.append(lines[30])  # the same ent_num twice
    (tmp_path / "sdn.csv").write_bytes(b"\r\n".join(lines) + b"\r\n\x1a")
    parsed = us_ofac_sdn.parse(tmp_path)
    assert len(parsed.entries) == 48
    assert [s.ref.split(" ")[0:2] for s in parsed.skipped] == [
        ["sdn.csv:row", "11"],
        ["sdn.csv:row", "21"],
        ["sdn.csv:row", "51"],
    ]
    assert [s.reason.split(" ")[0] for s in parsed.skipped] == ["row", "ent_num", "duplicate"]


def test_windows_1252_bytes_are_decoded(sdn_dir: Path, tmp_path: Path) -> None:
    lines = (sdn_dir / "2021-07-07" / "sdn.csv").read_bytes().split(b"\r\n")[:3]
    # Older OFAC files are Windows-1252: write a real row's name with an accent in that encoding.
    lines[2] = lines[2].replace(
        b"BANCO NACIONAL DE CUBA", "BANCO NACIONAL DE CUBA (Bogotá)".encode("cp1252")
    )
    (tmp_path / "sdn.csv").write_bytes(b"\r\n".join(lines) + b"\r\n")
    parsed = us_ofac_sdn.parse(tmp_path / "sdn.csv")
    assert [e.primary_name for e in parsed.entries][2] == "BANCO NACIONAL DE CUBA (Bogotá)"
    assert parsed.as_of is None  # no dated folder, and the CSV itself carries no date
