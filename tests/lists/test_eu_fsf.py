"""EU Financial Sanctions Files parser, on the real 17-record XML export of 2026-08-05.

No real copy of the CSV export could be had, so the CSV reader is tested on a
CSV written from the real XML's facts, one row per fact as the official
``csvFullSanctionsList_1_1`` file lays them out, under its documented
118 column names.
"""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from lists.base import ParsedList
from lists.formats.xml import local, parse_xml
from lists.sources.eu_fsf import parse
from screening.core.model import CountryRole, EntityKind, IdentifierType, ListEntry, NameKind
from screening.errors import ListFormatError

_GROUPS = ("NameAlias", "Address", "BirthDate", "Identification", "Citizenship")
_FACT_COLUMNS = {
    "NameAlias": "LastName FirstName MiddleName WholeName NameLanguage Gender Title Function "
    "LogicalId RegulationLanguage Remark",
    "Address": "City Street PoBox ZipCode Region Place AsAtListingTime ContactInfo CountryIso2Code "
    "CountryDescription LogicalId RegulationLanguage Remark",
    "BirthDate": "BirthDate Day Month Year YearRangeFrom YearRangeTo Circa CalendarType ZipCode "
    "Region Place City CountryIso2Code CountryDescription LogicalId RegulationLanguage Remark",
    "Identification": "Number Diplomatic KnownExpired KnownFalse ReportedLost RevokedByIssuer "
    "IssuedBy IssuedDate ValidFrom ValidTo LatinNumber NameOnDocument TypeCode TypeDescription "
    "Region CountryIso2Code CountryDescription LogicalId RegulationLanguage Remark",
    "Citizenship": "Region CountryIso2Code CountryDescription LogicalId RegulationLanguage Remark",
}
_REGULATION = (
    "Type OrganisationType PublicationDate EntryIntoForceDate NumberTitle Programme PublicationUrl"
)
# The official CSV header (FULL-1_1), 118 columns.
HEADER = [
    "fileGenerationDate",
    "Entity_LogicalId",
    "Entity_EU_ReferenceNumber",
    "Entity_UnitedNationId",
    "Entity_DesignationDate",
    "Entity_DesignationDetails",
    "Entity_Remark",
    "Entity_SubjectType",
    "Entity_SubjectType_ClassificationCode",
    *(f"Entity_Regulation_{c}" for c in _REGULATION.split()),
    *(
        column
        for group in _GROUPS
        for column in (
            *(f"{group}_{c}" for c in _FACT_COLUMNS[group].split()),
            *(f"{group}_Regulation_{c}" for c in _REGULATION.split()),
        )
    ),
]
# XML attribute -> CSV column where the names differ beyond the group prefix.
_RENAMED = {
    ("BirthDate", "birthdate"): "BirthDate_BirthDate",
    ("BirthDate", "dayOfMonth"): "BirthDate_Day",
    ("BirthDate", "monthOfYear"): "BirthDate_Month",
    ("Identification", "issueDate"): "Identification_IssuedDate",
    ("Identification", "identificationTypeCode"): "Identification_TypeCode",
    ("Identification", "identificationTypeDescription"): "Identification_TypeDescription",
}
_XML_GROUPS = {
    "nameAlias": "NameAlias",
    "address": "Address",
    "birthdate": "BirthDate",
    "identification": "Identification",
    "citizenship": "Citizenship",
}


@pytest.fixture(scope="module")
def fsf_file(lists_dir: Path) -> Path:
    return lists_dir / "eu_fsf" / "2026-08-05" / "fsf.xml"


@pytest.fixture(scope="module")
def parsed(fsf_file: Path) -> ParsedList:
    return parse(fsf_file.parent)


@pytest.fixture(scope="module")
def by_id(parsed: ParsedList) -> dict[str, ListEntry]:
    return {e.source_id: e for e in parsed.entries}


def test_counts_and_date(parsed: ParsedList) -> None:
    assert len(parsed.entries) == 17
    assert parsed.counts() == {"person": 10, "organization": 7}
    assert parsed.as_of == date(2026, 8, 5)  # generationDate="2026-08-05T16:47:04.449+02:00"
    assert parsed.skipped == []
    assert sum(len(e.names) for e in parsed.entries) == 45  # nameAlias elements
    programmes = Counter(p for e in parsed.entries for p in e.programs)
    assert programmes == Counter(
        {"IRN": 4, "IRQ": 2, "TAQA": 2, "UKR": 2, "COD": 1, "PRK": 1, "LBY": 1, "SYR": 1}
        | {"HR": 1, "MMR": 1, "SDNZ": 1}
    )


def test_person_with_arabic_names_and_islamic_birth_date(by_id: dict[str, ListEntry]) -> None:
    asiri = by_id["6177"]
    assert asiri.entity_id == "eu_fsf:6177"
    assert asiri.kind is EntityKind.PERSON
    assert asiri.primary_name == "Ibrahim al-'Asiri"
    arabic = [(n.value, n.lang) for n in asiri.names if n.kind is NameKind.ORIGINAL_SCRIPT]
    assert arabic == [("إبراهيم حسن طالع عسيري", "ar"), ("إبراهيم حسن طالع العسيري", "ar")]
    # nameAlias remarks "low quality alias" make weak aliases.
    assert {n.value for n in asiri.names if n.kind is NameKind.WEAK_ALIAS} == {
        "Abu-Salaah",
        "Abosslah",
        "Abu Saleh",
    }
    # The ISLAMIC birthdate (24/6/1402) is not a Gregorian date: kept apart.
    assert set(asiri.birth_dates) == {"1982-04-18", "1982-04-19"}
    assert asiri.prop("birth_date_islamic") == ["1402-06-24"]
    assert asiri.birth_places == ("Riyadh, SAUDI ARABIA",)
    passport = next(i for i in asiri.identifiers if i.type is IdentifierType.PASSPORT)
    assert (passport.value, passport.country) == ("F654645", "SA")
    assert passport.note is not None and "known expired" in passport.note
    national = next(i for i in asiri.identifiers if i.type is IdentifierType.NATIONAL_ID)
    assert national.value == "1028745097"
    assert {(c.code, c.role) for c in asiri.countries} == {
        ("SA", CountryRole.CITIZENSHIP),
        ("SA", CountryRole.BIRTH),
        ("YE", CountryRole.ADDRESS),
    }
    basis = asiri.legal_basis[0]
    assert (basis.title, basis.date, basis.kind) == (
        "2023/329 (OJ L43I)",
        "2023-02-13",
        "regulation",
    )
    assert basis.url == (
        "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=uriserv%3AOJ.LI.2023.043.01.0001.01.ENG&toc"
    )
    assert asiri.listed_on == "2011-03-24"
    assert asiri.remarks is not None and "Reportedly deceased" in asiri.remarks


def test_regulation_and_birth_details(by_id: dict[str, ListEntry]) -> None:
    saddam = by_id["13"]
    assert saddam.primary_name == "Saddam Hussein Al-Tikriti"
    assert (saddam.names[0].first, saddam.names[0].last) == ("Saddam", "Hussein Al-Tikriti")
    assert saddam.gender == "male"
    assert saddam.legal_basis[0].title == "1210/2003 (OJ L169)"
    assert saddam.legal_basis[0].url == (
        "http://eur-lex.europa.eu/LexUriServ/LexUriServ.do?uri=OJ:L:2003:169:0006:0023:EN:PDF"
    )
    assert saddam.birth_dates == ("1937-04-28",)
    assert saddam.birth_places == ("al-Awja, near Tikrit, IRAQ",)
    assert saddam.remarks == "UNSC RESOLUTION 1483"
    assert saddam.prop("eu_reference_number") == ["EU.27.28"]
    # The FSF marks no main name; the English one beats the French translation.
    assert by_id["20"].primary_name == "Qusay Saddam Hussein Al-Tikriti"


def test_birth_year_range_and_islamic_year(by_id: dict[str, ListEntry]) -> None:
    assert by_id["155661"].birth_dates == tuple(str(y) for y in range(1960, 1980))
    soleimani = by_id["127388"]
    assert set(soleimani.birth_dates) == {"1965", "1964"}
    assert soleimani.prop("birth_date_islamic") == ["1343"]  # Iranian Hijri year


def test_russian_bank_numbers_and_former_name(by_id: dict[str, ListEntry]) -> None:
    bank = by_id["139009"]
    assert bank.kind is EntityKind.ORGANIZATION
    assert bank.primary_name == "Sovcombank"
    assert [n.value for n in bank.names if n.kind is NameKind.FORMER] == ["Buycombank"]
    # fiscalcode and regnumber of a Russian-address bank are its INN and OGRN.
    assert [(i.type, i.value, i.country) for i in bank.identifiers] == [
        (IdentifierType.INN, "4401116480", "RU"),
        (IdentifierType.OGRN, "1144400000425", "RU"),
    ]
    assert bank.addresses[0].city == "Kostroma"
    assert bank.addresses[0].postal_code == "156000"


def test_other_identifiers(by_id: dict[str, ListEntry]) -> None:
    assert [(i.type, i.value) for i in by_id["107840"].identifiers] == [
        (IdentifierType.IMO, "5342883")
    ]
    assert [(i.type, i.value) for i in by_id["118593"].identifiers] == [
        (IdentifierType.UN_REF, "LYi.28")
    ]
    # number "-" is no number
    assert by_id["6428"].identifiers == ()
    assert by_id["3745"].prop("phone") == ["+253 (0) 99 983 784"]


def _csv_rows(fsf_file: Path) -> list[dict[str, str]]:
    """One row per fact of the real XML, with the designation's columns on each."""
    root = parse_xml(fsf_file).getroot()
    rows = []
    unknown: set[str] = set()
    for entity in root:
        base = {
            "fileGenerationDate": "05/08/2026",
            "Entity_LogicalId": entity.get("logicalId", ""),
            "Entity_EU_ReferenceNumber": entity.get("euReferenceNumber", ""),
            "Entity_UnitedNationId": entity.get("unitedNationId", ""),
            "Entity_DesignationDate": entity.get("designationDate", ""),
            "Entity_DesignationDetails": entity.get("designationDetails", ""),
        }
        facts = []
        for child in entity:
            name = local(child.tag)
            if name == "remark":
                base["Entity_Remark"] = child.text or ""
            elif name == "subjectType":
                base["Entity_SubjectType"] = child.get("code", "")
                base["Entity_SubjectType_ClassificationCode"] = child.get("classificationCode", "")
            elif name == "regulation":
                for attribute, column in (
                    ("regulationType", "Type"),
                    ("organisationType", "OrganisationType"),
                    ("publicationDate", "PublicationDate"),
                    ("entryIntoForceDate", "EntryIntoForceDate"),
                    ("numberTitle", "NumberTitle"),
                    ("programme", "Programme"),
                ):
                    base[f"Entity_Regulation_{column}"] = child.get(attribute, "")
                base["Entity_Regulation_PublicationUrl"] = child[0].text or ""
            elif name in _XML_GROUPS:
                facts.append(child)
        for child in facts:
            group = _XML_GROUPS[local(child.tag)]
            row = dict(base)
            for raw_key, value in child.attrib.items():
                key = str(raw_key)
                column = _RENAMED.get((group, key), f"{group}_{key[0].upper()}{key[1:]}")
                if column in HEADER:
                    row[column] = str(value)
                else:
                    unknown.add(column)
            for sub in child:
                if local(sub.tag) == "remark":
                    row[f"{group}_Remark"] = sub.text or ""
                elif local(sub.tag) == "contactInfo":
                    row[f"{group}_ContactInfo"] = f"{sub.get('key')}: {sub.get('value')}"
            rows.append(row)
    # NameAlias strength is the one XML fact the 1.1 CSV has no column for.
    assert unknown == {"NameAlias_Strong"}
    return rows


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _without_contacts(entry: ListEntry) -> ListEntry:
    # The CSV carries an address's contact details as one text, not key and value.
    kept = tuple(p for p in entry.properties if p[0] not in ("phone", "contact"))
    return dataclasses.replace(entry, properties=kept)


def test_header_has_118_columns() -> None:
    assert len(HEADER) == len(set(HEADER)) == 118


def test_csv_gives_the_same_entries(parsed: ParsedList, fsf_file: Path, tmp_path: Path) -> None:
    csv_file = _write_csv(tmp_path / "fsf.csv", _csv_rows(fsf_file))
    from_csv = parse(tmp_path)  # a folder with only the CSV
    assert list(from_csv.files) == ["fsf.csv"]
    assert from_csv.as_of == date(2026, 8, 5)
    assert [_without_contacts(e) for e in from_csv.entries] == [
        _without_contacts(e) for e in parsed.entries
    ]
    congomet = next(e for e in from_csv.entries if e.source_id == "3745")
    assert congomet.prop("contact") == ["PHONE: +253 (0) 99 983 784"]
    assert csv_file.stat().st_size > 0


def test_csv_record_without_subject_type_is_skipped(fsf_file: Path, tmp_path: Path) -> None:
    rows = _csv_rows(fsf_file)
    for row in rows:
        if row["Entity_LogicalId"] == "13":
            row["Entity_SubjectType"] = row["Entity_SubjectType_ClassificationCode"] = ""
    result = parse(_write_csv(tmp_path / "fsf.csv", rows))
    assert len(result.entries) == 16
    assert [(s.reason, s.ref) for s in result.skipped] == [
        ("unknown subject type ''", "logicalId 13")
    ]


def test_xml_record_without_names_is_skipped(fsf_file: Path, tmp_path: Path) -> None:
    text = fsf_file.read_text(encoding="utf-8")
    start = text.index('<nameAlias firstName="" middleName="" lastName="" wholeName="Congomet')
    end = text.index("</nameAlias>", start) + len("</nameAlias>")
    (tmp_path / "fsf.xml").write_text(text[:start] + text[end:], encoding="utf-8")
    result = parse(tmp_path)
    assert len(result.entries) == 16
    assert [(s.reason, s.ref) for s in result.skipped] == [("no name", "logicalId 3745")]


def test_wrong_and_broken_files_are_refused(
    fsf_file: Path, lists_dir: Path, tmp_path: Path
) -> None:
    with pytest.raises(ListFormatError, match="not the FSF export"):
        parse(lists_dir / "un_sc" / "2026-02-27" / "consolidated.xml")
    with pytest.raises(ListFormatError, match="Entity_LogicalId"):
        parse(lists_dir / "us_ofac_sdn" / "2024-05-03" / "sdn.csv")
    truncated = tmp_path / "fsf.xml"
    truncated.write_bytes(fsf_file.read_bytes()[:20_000])
    with pytest.raises(ListFormatError, match="not well-formed"):
        parse(tmp_path)
    entity = tmp_path / "entity.xml"
    entity.write_text(
        '<?xml version="1.0"?><!DOCTYPE export [<!ENTITY x "boom">]>'
        '<export xmlns="http://eu.europa.ec/fpi/fsd/export">&x;</export>',
        encoding="utf-8",
    )
    with pytest.raises(ListFormatError, match="entities"):
        parse(entity)
    with pytest.raises(ListFormatError, match="no FSF file"):
        parse(tmp_path / "empty")
