"""The OFAC Remarks parser, on remarks read from the real list files.

Remarks are looked up by ent_num with the plain ``csv`` module, so these tests
do not depend on the CSV reader under test.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lists.formats.ofac import Facts, parse_dates, parse_remarks, split_remarks
from screening.core.model import Country, CountryRole, Identifier, IdentifierType, NameKind


@pytest.fixture(scope="module")
def remarks_2024(lists_dir: Path) -> dict[str, str]:
    """ent_num -> Remarks column of the 2024-05-03 sdn.csv."""
    path = lists_dir / "us_ofac_sdn" / "2024-05-03" / "sdn.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {row[0]: row[11] for row in csv.reader(fh) if len(row) == 12}


def facts_of(remarks: dict[str, str], ent_num: str) -> Facts:
    return parse_remarks(remarks[ent_num])


def ids(facts: Facts) -> set[tuple[IdentifierType, str, str | None]]:
    return {(i.type, i.value, i.country) for i in facts.identifiers}


def test_person_with_dob_nationality_passport_and_inn(remarks_2024: dict[str, str]) -> None:
    # 46788 PERETYATKO, Ruslan Aleksandrovich
    facts = facts_of(remarks_2024, "46788")
    assert facts.birth_dates == ["1985-08-03"]
    assert facts.countries == [Country("RU", CountryRole.NATIONALITY, "Russia")]
    assert facts.gender == "male"
    assert ids(facts) == {
        (IdentifierType.PASSPORT, "8705080546", "RU"),
        # A Russian 12-digit tax number is an INN.
        (IdentifierType.INN, "111601632100", "RU"),
    }
    assert (
        "secondary_sanctions_risk",
        "Ukraine-/Russia-Related Sanctions Regulations, 31 CFR 589.201",
    ) in (facts.properties)
    assert facts.unparsed == []


def test_russian_bank_identifiers_and_directive_dates(remarks_2024: dict[str, str]) -> None:
    # 34682 JOINT STOCK COMPANY ALFA-BANK
    facts = facts_of(remarks_2024, "34682")
    assert ids(facts) == {
        (IdentifierType.SWIFT, "ALFARUMM", None),
        (IdentifierType.OTHER, "044525593", None),  # BIK (RU)
        (IdentifierType.INN, "7728168971", "RU"),
        (IdentifierType.OGRN, "1027700067328", "RU"),
    }
    bik = next(i for i in facts.identifiers if i.value == "044525593")
    assert bik.note == "BIK (RU)"
    props = facts.properties
    assert ("website", "alfabank.ru") in props and ("website", "alfabank.com") in props
    assert ("organization_established_date", "1990") in props
    assert ("target_type", "Financial Institution") in props
    assert ("listing_date", "EO 14024 Directive 3: 2022-02-24") in props
    assert ("effective_date", "EO 14024 Directive 3: 2022-03-26") in props
    # The "for more information" link is boilerplate, not an unknown fact.
    assert facts.unparsed == []


def test_vessel_imo_mmsi_and_link(remarks_2024: dict[str, str]) -> None:
    # 39693 SAINT LIGHT (ex YOUNG YONG)
    facts = facts_of(remarks_2024, "39693")
    assert ids(facts) == {
        (IdentifierType.IMO, "9194127", None),
        (IdentifierType.MMSI, "750514000", None),
    }
    assert facts.linked_to == ["TECHNOLOGY BRIGHT INTERNATIONAL LIMITED"]


def test_weak_aliases_from_remarks(remarks_2024: dict[str, str]) -> None:
    # 306 BANCO NACIONAL DE CUBA: "a.k.a. 'BNC'."
    facts = facts_of(remarks_2024, "306")
    assert [(n.value, n.kind) for n in facts.names] == [("BNC", NameKind.WEAK_ALIAS)]
    # 4243 EBANO (vessel): "f.k.a. 'ANA I'; f.k.a. 'SAND SWAN'" are names the
    # vessel really bore, so former names, not weak aliases.
    facts = facts_of(remarks_2024, "4243")
    assert [(n.value, n.kind) for n in facts.names] == [
        ("ANA I", NameKind.FORMER),
        ("SAND SWAN", NameKind.FORMER),
    ]
    assert ids(facts) == {(IdentifierType.IMO, "7406784", None)}
    # 15148 CENTER FOR INNOVATION AND TECHNOLOGY COOPERATION mixes both in Remarks:
    # its a.k.a. stay weak, its f.k.a. are former names.
    facts = facts_of(remarks_2024, "15148")
    assert [(n.value, n.kind) for n in facts.names] == [
        ("CITC", NameKind.WEAK_ALIAS),
        ("TCO", NameKind.WEAK_ALIAS),
        ("POSIS", NameKind.FORMER),
        ("OSIS", NameKind.FORMER),
    ]


def test_dob_ranges_and_places(remarks_2024: dict[str, str]) -> None:
    # 12057 NAQDI: "DOB 1951 to 1953; alt. DOB 1960 to 1962; alt. DOB Apr 1961; alt. DOB 1953"
    facts = facts_of(remarks_2024, "12057")
    assert facts.birth_dates == [
        "1951",
        "1952",
        "1953",
        "1960",
        "1961",
        "1962",
        "1961-04",
        "1953",
    ]
    assert facts.birth_places == ["Najaf, Iraq", "Tehran, Iran"]
    assert Country("IQ", CountryRole.BIRTH, "Najaf, Iraq") in facts.countries
    assert Country("IR", CountryRole.NATIONALITY, "Iran") in facts.countries


def test_circa_dob_and_unknown_piece_kept(remarks_2024: dict[str, str]) -> None:
    # 7846 AL-TIKRITI, Abid Hamid Mahmud
    facts = facts_of(remarks_2024, "7846")
    assert facts.birth_dates == ["1957"]
    assert facts.birth_places == ["al-Awja, near Tikrit, Iraq"]
    assert facts.unparsed == ["Saddam Hussein al-Tikriti's presidential secretary and key advisor."]


def test_uscc_and_chinese_registration(remarks_2024: dict[str, str]) -> None:
    # 22685 RAYBEAM OPTRONICS CO. LTD.
    facts = facts_of(remarks_2024, "22685")
    assert ids(facts) == {
        (IdentifierType.REGISTRATION, "131082000061293", "CN"),
        (IdentifierType.USCC, "9113100033607322XK", "CN"),
    }
    assert (
        "additional_sanctions_information",
        "Subject to Secondary Sanctions",
    ) in facts.properties
    assert facts.linked_to == ["LIU, Baoxia"]


def test_passport_dates_go_to_the_note(remarks_2024: dict[str, str]) -> None:
    # 7203 AOUADI: "Passport L 191609 issued 28 Feb 1996 expires 27 Feb 2001"
    facts = facts_of(remarks_2024, "7203")
    passport = next(i for i in facts.identifiers if i.type is IdentifierType.PASSPORT)
    assert passport == Identifier(
        IdentifierType.PASSPORT,
        "L 191609",
        None,
        "Passport; issued 28 Feb 1996 expires 27 Feb 2001",
    )
    fiscal = next(i for i in facts.identifiers if i.type is IdentifierType.TAX_ID)
    assert fiscal.value == "DAOMMD74T11Z352Z"


def test_linked_names_keep_their_abbreviation_dots(remarks_2024: dict[str, str]) -> None:
    # 12991 EDERY CRIVOSEI: the last "Linked To: KPD S.A." ends the remarks.
    facts = facts_of(remarks_2024, "12991")
    assert facts.linked_to == [
        "LILIANA ESQUENAZI M. & CIA. S. C. S.",
        "BIESTRA S.A.",
        "AGROPECUARIA LA PERLA LTDA.",
        "KPD S.A.",
    ]
    assert (
        Identifier(IdentifierType.NATIONAL_ID, "16588834", "CO", "Cedula No.") in facts.identifiers
    )


def test_email_and_website(remarks_2024: dict[str, str]) -> None:
    # 10933 RAMAK
    facts = facts_of(remarks_2024, "10933")
    assert facts.properties == [
        ("website", "www.ramakdutyfree.net"),
        ("email", "dam.d.free@net.sy"),
    ]


def test_every_piece_is_understood_or_kept(remarks_2024: dict[str, str]) -> None:
    """No piece is lost: each is a fact, boilerplate, or listed as unparsed."""
    for ent_num in ("46788", "34682", "12057", "7846", "17018"):
        remarks = remarks_2024[ent_num]
        facts = parse_remarks(remarks)
        for piece in facts.unparsed:
            assert piece in remarks


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03 Aug 1985", ("1985-08-03",)),
        ("12 Jan 1960.", ("1960-01-12",)),
        ("Apr 1961", ("1961-04",)),
        ("1960", ("1960",)),
        ("circa 1951", ("1951",)),
        ("circa 1958-1960", ("1958", "1959", "1960")),
        ("1960 to 1962", ("1960", "1961", "1962")),
        ("01 Jan 1960 to 31 Dec 1962", ("1960", "1961", "1962")),
        ("02 Mar 1967 to 02 Mar 1968", ("1967-03-02", "1968-03-02")),
        ("1900 to 1950", ("1900", "1950")),  # a wide range keeps its ends only
        ("31 Feb 1960", ()),  # no such day: no date rather than a false one
        ("unknown", ()),
    ],
)
def test_parse_dates(text: str, expected: tuple[str, ...]) -> None:
    assert parse_dates(text) == expected


def test_split_remarks_respects_quotes_and_apostrophes() -> None:
    assert split_remarks("a.k.a. 'A; B'; DOB 1960; Linked To: JIM'ALE; X") == [
        "a.k.a. 'A; B'",
        "DOB 1960",
        "Linked To: JIM'ALE",
        "X",
    ]


def test_remarks_pieces_of_the_whole_list_are_mostly_understood(
    remarks_2024: dict[str, str],
) -> None:
    """A guard against a rule silently breaking: most pieces must parse.

    The unparsed rest is free text (positions, relatives, "all offices worldwide").
    """
    pieces = unparsed = 0
    for remarks in remarks_2024.values():
        if remarks.strip() == "-0-":
            continue
        facts = parse_remarks(remarks)
        pieces += len(split_remarks(remarks))
        unparsed += len(facts.unparsed)
    assert pieces > 60_000
    assert unparsed / pieces < 0.05
