"""EU Financial Sanctions Files (FSF): the consolidated list of EU financial sanctions.

Two official forms carry the same facts, and both are read here into one
intermediate :class:`_Record` per designation:

* XML (``xmlFullSanctionsList_1_1``): one ``sanctionEntity`` element per
  designation, in namespace ``http://eu.europa.ec/fpi/fsd/export``, with
  ``nameAlias``, ``citizenship``, ``birthdate``, ``address`` and
  ``identification`` children whose facts are attributes;
* CSV (``csvFullSanctionsList_1_1``): semicolon-separated, one row per fact,
  the designation's columns (``Entity_*``) repeated on every row and the fact
  in its own column group (``NameAlias_*``, ``Address_*``, ``BirthDate_*``,
  ``Identification_*``, ``Citizenship_*``).

The designation's ``logicalId`` is the stable id (``eu_fsf:<logicalId>``).
Birth dates in the Islamic calendar are kept as a property, never as a
birth date: they are not Gregorian dates.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lxml import etree

from lists.base import ParsedList, Skip, date_from_folder, find_file, sha256_file
from lists.formats.dates import parse_date, to_date, year_range
from lists.formats.values import (
    clean,
    clean_name,
    country,
    default_country,
    identifier_type,
    is_latin,
    unique,
)
from lists.formats.xml import local, parse_xml
from screening.core.countries import to_iso2
from screening.core.model import (
    Address,
    Country,
    CountryRole,
    EntityKind,
    Identifier,
    IdentifierType,
    LegalBasis,
    ListEntry,
    Name,
    NameKind,
    dedupe,
)
from screening.errors import ListFormatError

SOURCE = "eu_fsf"
FILE_NAMES = ("fsf.xml", "fsf.csv")

_KINDS = {
    "person": EntityKind.PERSON,
    "p": EntityKind.PERSON,
    "enterprise": EntityKind.ORGANIZATION,
    "e": EntityKind.ORGANIZATION,
}
_ID_TYPES = {
    "passport": IdentifierType.PASSPORT,
    "id": IdentifierType.NATIONAL_ID,
    "ssn": IdentifierType.NATIONAL_ID,
    "regnumber": IdentifierType.REGISTRATION,
    "fiscalcode": IdentifierType.TAX_ID,
    "imo": IdentifierType.IMO,
    "swiftbic": IdentifierType.SWIFT,
}
# The fact groups, by XML element and CSV column prefix.
_GROUPS = {
    "nameAlias": "NameAlias",
    "citizenship": "Citizenship",
    "birthdate": "BirthDate",
    "address": "Address",
    "identification": "Identification",
}
# CSV column -> XML attribute, where dropping the prefix and lower-casing the
# first letter does not give the XML name.
_CSV_RENAMES = {
    "BirthDate_BirthDate": "birthdate",
    "BirthDate_Day": "dayOfMonth",
    "BirthDate_Month": "monthOfYear",
    "Identification_IssuedDate": "issueDate",
    "Identification_TypeCode": "identificationTypeCode",
    "Identification_TypeDescription": "identificationTypeDescription",
    "Entity_EU_ReferenceNumber": "euReferenceNumber",
    "Entity_Regulation_Type": "regulationType",
    "Entity_SubjectType": "code",
    "Entity_SubjectType_ClassificationCode": "classificationCode",
}
# Remarks that only grade a name; the grade is read, the words are not worth keeping.
_QUALITY_REMARKS = ("good quality alias", "low quality alias", "low quality aliias")


@dataclass
class _Record:
    """One designation's facts as the file gives them, XML attribute names as keys."""

    logical_id: str
    entity: dict[str, str] = field(default_factory=dict)
    remarks: list[str] = field(default_factory=list)
    regulations: list[dict[str, str]] = field(default_factory=list)
    facts: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    contacts: list[tuple[str, str]] = field(default_factory=list)

    def group(self, name: str) -> list[dict[str, str]]:
        return self.facts.get(name, [])


def parse(path: Path) -> ParsedList:
    """Parse the EU FSF list (XML, or the CSV when only that is there) in folder (or file) ``path``.

    Raises:
        ListFormatError: the file is missing, not well-formed, or not the FSF list.
    """
    file = path if path.is_file() else _pick_file(path)
    with file.open("rb") as fh:
        head = fh.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        records, as_of = _xml_records(file)
    else:
        records, as_of = _csv_records(file)
    result = ParsedList(
        source=SOURCE,
        entries=[],
        as_of=as_of or date_from_folder(file),
        files={file.name: sha256_file(file)},
    )
    for record in records:
        try:
            result.entries.append(_entry(record))
        except _Reject as exc:
            result.skipped.append(Skip(str(exc), f"logicalId {record.logical_id}"))
    return result


def _pick_file(folder: Path) -> Path:
    found = find_file(folder, FILE_NAMES) if folder.is_dir() else None
    if found is None and folder.is_dir():
        # The official downloads are called e.g. "20260805-FULL-1_1(xsd).xml".
        candidates = sorted(folder.glob("*FULL*1_1*.xml")) or sorted(folder.glob("*FULL*1_1*.csv"))
        found = candidates[-1] if candidates else None
    if found is None:
        raise ListFormatError(f"{folder}: no FSF file ({', '.join(FILE_NAMES)}) found")
    return found


class _Reject(Exception):
    """A designation the parser cannot use; becomes a :class:`Skip`."""


def _xml_records(file: Path) -> tuple[list[_Record], date | None]:
    root = parse_xml(file).getroot()
    if local(root.tag) != "export":
        raise ListFormatError(f"{file.name}: root element is {local(root.tag)}, not the FSF export")
    records = []
    for index, el in enumerate(_children(root, "sanctionEntity"), start=1):
        record = _Record(logical_id=clean(el.get("logicalId")) or f"sanctionEntity[{index}]")
        record.entity = _attributes(el)
        for child in el:
            name = local(child.tag)
            if name == "remark":
                if text := clean(child.text):
                    record.remarks.append(text)
            elif name == "regulation":
                regulation = _attributes(child)
                if url := clean(child.findtext("{*}publicationUrl")):
                    regulation["publicationUrl"] = url
                record.regulations.append(regulation)
            elif name == "subjectType":
                record.entity.update(_attributes(child))
            elif name in _GROUPS:
                fact = _attributes(child)
                remarks = [t for r in _children(child, "remark") if (t := clean(r.text))]
                if remarks:
                    fact["remark"] = " ".join(remarks)
                record.facts.setdefault(name, []).append(fact)
                for info in _children(child, "contactInfo"):
                    key, value = clean(info.get("key")), clean(info.get("value"))
                    if key and value:
                        record.contacts.append((key.lower(), value))
        records.append(record)
    return records, to_date(root.get("generationDate"))


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in el if local(child.tag) == name]


def _attributes(el: etree._Element) -> dict[str, str]:
    return {str(k): text for k, v in el.attrib.items() if (text := clean(v))}


def _csv_records(file: Path) -> tuple[list[_Record], date | None]:
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListFormatError(f"{file.name}: not UTF-8 text ({exc})") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    if not reader.fieldnames or "Entity_LogicalId" not in reader.fieldnames:
        raise ListFormatError(f"{file.name}: no Entity_LogicalId column; not the FSF CSV export")
    records: dict[str, _Record] = {}
    seen: set[tuple[str, str, tuple[tuple[str, str], ...]]] = set()
    as_of: date | None = None
    try:
        for row in reader:
            values = {k: cell for k, v in row.items() if k and (cell := clean(v))}
            if values.get("Entity_LogicalId"):
                as_of = as_of or to_date(values.get("fileGenerationDate"))
                _add_csv_row(records, seen, values)
    except csv.Error as exc:
        raise ListFormatError(f"{file.name}: not readable as CSV ({exc})") from exc
    return list(records.values()), as_of


def _add_csv_row(
    records: dict[str, _Record],
    seen: set[tuple[str, str, tuple[tuple[str, str], ...]]],
    values: dict[str, str],
) -> None:
    """Add one CSV row's designation, regulation and fact to ``records``."""
    logical_id = values["Entity_LogicalId"]
    record = records.get(logical_id)
    if record is None:
        record = records[logical_id] = _Record(logical_id=logical_id)
        record.entity = {
            _csv_key(k): v
            for k, v in values.items()
            if k.startswith("Entity_") and not k.startswith("Entity_Regulation_")
        }
        if remark := record.entity.pop("remark", None):
            record.remarks.append(remark)
    regulation = {_csv_key(k): v for k, v in values.items() if k.startswith("Entity_Regulation_")}
    if regulation and regulation not in record.regulations:
        record.regulations.append(regulation)
    for group, prefix in _GROUPS.items():
        fact = {
            _csv_key(k): v
            for k, v in values.items()
            if k.startswith(prefix + "_") and not k.startswith(prefix + "_Regulation")
        }
        if not any(k not in ("logicalId", "regulationLanguage") for k in fact):
            continue
        # The same fact may come on several rows; keep it once.
        key = (logical_id, group, tuple(sorted(fact.items())))
        if key in seen:
            continue
        seen.add(key)
        record.facts.setdefault(group, []).append(fact)
        if group == "address" and (contact := fact.get("contactInfo")):
            record.contacts.append(("contact", contact))


def _csv_key(column: str) -> str:
    if column in _CSV_RENAMES:
        return _CSV_RENAMES[column]
    suffix = column.split("_")[-1]
    return suffix[:1].lower() + suffix[1:]


def _entry(record: _Record) -> ListEntry:
    code = record.entity.get("code", "").lower()
    classification = record.entity.get("classificationCode", "").lower()
    kind = _KINDS.get(code) or _KINDS.get(classification)
    if kind is None:
        raise _Reject(f"unknown subject type {code or classification!r}")
    names, titles, gender, name_remarks = _names(record.group("nameAlias"), kind)
    if not names:
        raise _Reject("no name")
    countries: list[Country] = []
    for fact in record.group("citizenship"):
        if c := _country(fact, CountryRole.CITIZENSHIP):
            countries.append(c)
    birth_dates: list[str] = []
    birth_places: list[str] = []
    properties: list[tuple[str, str]] = list(record.contacts)
    for fact in record.group("birthdate"):
        calendar = fact.get("calendarType", "GREGORIAN").upper()
        if calendar == "GREGORIAN":
            birth_dates.extend(_gregorian(fact))
        elif islamic := _ymd(fact):
            properties.append((f"birth_date_{calendar.lower()}", islamic))
        place = ", ".join(unique([fact.get("place"), fact.get("city"), fact.get("region")]))
        birth_country = _country(fact, CountryRole.BIRTH)
        if birth_country is not None:
            countries.append(birth_country)
            place = ", ".join(unique([place, birth_country.label]))
        if place:
            birth_places.append(place)
    addresses = []
    for fact in record.group("address"):
        address_country = _country(fact, CountryRole.ADDRESS)
        if address_country is not None:
            countries.append(address_country)
        address = _address(fact, address_country)
        if address is not None:
            addresses.append(address)
    # A Russian address, citizenship or issuing country tells Russian numbers apart by shape.
    russian = any(c.code == "RU" for c in countries) or any(
        f.get("countryIso2Code", "").upper() == "RU" for f in record.group("identification")
    )
    identifiers = _identifiers(record.group("identification"), russian=russian)
    if un_id := record.entity.get("unitedNationId"):
        identifiers.insert(0, Identifier(IdentifierType.UN_REF, un_id))
    if eu_ref := record.entity.get("euReferenceNumber"):
        properties.append(("eu_reference_number", eu_ref))
    legal_basis = [
        LegalBasis(
            title=reg.get("numberTitle") or "EU financial sanctions",
            url=reg.get("publicationUrl"),
            date=parse_date(reg.get("publicationDate")),
            kind="regulation",
        )
        for reg in record.regulations
    ]
    remarks = [*record.remarks, record.entity.get("designationDetails"), *name_remarks]
    return ListEntry(
        source=SOURCE,
        source_id=record.logical_id,
        kind=kind,
        names=names,
        countries=dedupe(countries),
        addresses=dedupe(addresses),
        birth_dates=unique(birth_dates),
        birth_places=unique(birth_places),
        identifiers=dedupe(identifiers),
        programs=unique(reg.get("programme") for reg in record.regulations),
        listed_on=parse_date(record.entity.get("designationDate")),
        legal_basis=dedupe(legal_basis),
        remarks="\n".join(unique(remarks)) or None,
        gender=gender,
        titles=titles,
        properties=tuple(sorted(dict.fromkeys(properties))),
    )


def _names(
    facts: list[dict[str, str]], kind: EntityKind
) -> tuple[tuple[Name, ...], tuple[str, ...], str | None, list[str]]:
    """The names, titles and functions, gender, and name remarks worth keeping."""
    names: list[Name] = []
    titles: list[str] = []
    genders: list[str] = []
    remarks: list[str] = []
    for fact in facts:
        parts = [fact.get(k) for k in ("firstName", "middleName", "lastName")]
        value = clean_name(fact.get("wholeName")) or clean_name(" ".join(p for p in parts if p))
        if value is None:
            continue
        remark = fact.get("remark", "")
        grade = remark.lower()
        if not is_latin(value):
            name_kind = NameKind.ORIGINAL_SCRIPT
        elif "low quality" in grade or fact.get("strong", "true").lower() == "false":
            name_kind = NameKind.WEAK_ALIAS
        elif grade.startswith(("former name", "formerly known", "f.k.a")):
            name_kind = NameKind.FORMER
        else:
            name_kind = NameKind.ALIAS
        lang = fact.get("nameLanguage", "").lower() or None
        if name_kind is NameKind.ORIGINAL_SCRIPT and lang == "en":
            lang = None  # the FSF marks some Cyrillic names "EN"; that is not their language
        person = kind is EntityKind.PERSON and name_kind is not NameKind.ORIGINAL_SCRIPT
        names.append(
            Name(
                value,
                name_kind,
                lang=lang,
                first=clean(fact.get("firstName")) if person else None,
                last=clean(fact.get("lastName")) if person else None,
            )
        )
        titles.extend(t for t in (clean(fact.get("title")), clean(fact.get("function"))) if t)
        if gender := {"m": "male", "f": "female"}.get(fact.get("gender", "").lower()):
            genders.append(gender)
        if remark and grade.strip(" .;") not in _QUALITY_REMARKS:
            remarks.append(remark)
    # The FSF marks no name as the main one: take the first strong Latin-script
    # name, preferring one in English (or of no stated language) to a translation.
    candidates = [i for i, n in enumerate(names) if n.kind is NameKind.ALIAS]
    english = [i for i in candidates if names[i].lang in (None, "en")]
    if candidates:
        index = (english or candidates)[0]
        name = names.pop(index)
        names.insert(0, Name(name.value, NameKind.PRIMARY, name.lang, name.first, name.last))
    return dedupe(names), unique(titles), (genders[0] if genders else None), remarks


def _gregorian(fact: dict[str, str]) -> list[str]:
    if value := parse_date(fact.get("birthdate")):
        return [value]
    if fact.get("yearRangeFrom") or fact.get("yearRangeTo"):
        return list(year_range(fact.get("yearRangeFrom"), fact.get("yearRangeTo")))
    value = _ymd(fact)
    return [value] if value else []


def _ymd(fact: dict[str, str]) -> str | None:
    """The date from the year, monthOfYear and dayOfMonth parts, at the precision given."""
    year = fact.get("year")
    if not year:
        return None
    month, day = fact.get("monthOfYear"), fact.get("dayOfMonth")
    if month and day:
        return parse_date(f"{year}-{month}-{day}")
    if month:
        return parse_date(f"{year}-{month}")
    return parse_date(year)


def _country(fact: dict[str, str], role: CountryRole) -> Country | None:
    """The fact's country; "00" is the FSF's "unknown"."""
    code = fact.get("countryIso2Code", "").upper()
    label = fact.get("countryDescription")
    if code and code != "00":
        return Country(code=to_iso2(code) or code, role=role, label=label)
    if label and label.upper() != "UNKNOWN":
        return country(label, role)
    return None


def _address(fact: dict[str, str], address_country: Country | None) -> Address | None:
    street = fact.get("street")
    city = fact.get("city")
    postal = fact.get("zipCode")
    region = fact.get("region")
    po_box = fact.get("poBox")
    place = fact.get("place")
    if not (street or city or postal or region or po_box or place):
        return None  # a bare country is kept as a Country, not an address
    parts = [street, f"PO Box {po_box}" if po_box else None, city, postal, region, place]
    if address_country is not None:
        parts.append(address_country.label)
    return Address(
        full=", ".join(p for p in parts if p),
        street=street,
        city=city,
        postal_code=postal,
        region=region,
        country=address_country.code if address_country else None,
    )


def _identifiers(facts: list[dict[str, str]], *, russian: bool) -> list[Identifier]:
    out = []
    for fact in facts:
        number = clean(fact.get("number"))
        if number is None:
            continue
        code = fact.get("countryIso2Code", "").upper()
        issuer = to_iso2(code) if code and code != "00" else None
        listed = _ID_TYPES.get(fact.get("identificationTypeCode", "").lower(), IdentifierType.OTHER)
        kind = listed
        if listed in (IdentifierType.TAX_ID, IdentifierType.REGISTRATION):
            kind = identifier_type(listed, number, russian=russian or issuer == "RU")
        flags = [
            label
            for key, label in (
                ("knownExpired", "known expired"),
                ("knownFalse", "known false"),
                ("reportedLost", "reported lost"),
                ("revokedByIssuer", "revoked by issuer"),
                ("diplomatic", "diplomatic"),
            )
            if fact.get(key, "").lower() == "true"
        ]
        note = "; ".join(
            unique(
                [
                    fact.get("identificationTypeDescription"),
                    fact.get("remark"),
                    fact.get("issuedBy"),
                    f"issued {fact['issueDate']}" if fact.get("issueDate") else None,
                    f"valid to {fact['validTo']}" if fact.get("validTo") else None,
                    *flags,
                ]
            )
        )
        out.append(
            Identifier(kind, number, country=issuer or default_country(kind), note=note or None)
        )
    return out
