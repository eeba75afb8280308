"""FCDO UK Sanctions List, XML form (``UK-Sanctions-List.xml``).

The successor of OFSI's ConList: one ``Designation`` element per designation,
with the list's ``UniqueID`` (``RUS1683``) as the stable id and the OFSI Group
ID kept as a property for joining the two lists. Unlike ConList, the facts
have elements of their own; the regime is named by its full regulations title.
The file keeps the publisher's quirks (trailing spaces, ``dd/mm/1945``,
``00/00/1975``, ``15/08/19yy``, repeated passports), which the readers here
absorb.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from lists.base import ParsedList, Skip, date_from_folder, input_file, sha256_file
from lists.formats.dates import parse_date, to_date
from lists.formats.values import (
    clean,
    clean_name,
    country,
    country_code,
    iter_text,
    language_code,
    registration_identifiers,
    unique,
)
from lists.formats.xml import local, parse_xml
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

SOURCE = "uk_fcdo"
FILE_NAMES = ("UK-Sanctions-List.xml",)
LIST_URL = "https://www.gov.uk/government/publications/the-uk-sanctions-list"

_KINDS = {
    "individual": EntityKind.PERSON,
    "entity": EntityKind.ORGANIZATION,
    "ship": EntityKind.VESSEL,
}
# "Russia" from "The Russia (Sanctions) (EU Exit) Regulations 2019" and the like.
_REGIME_SHORT = re.compile(
    r"^(?:The\s+)?(?P<short>.+?)\s+(?:\((?:[\w ]+ )?Sanctions\)|Sanctions\s+Regulations|Regulations)",
    re.I,
)
# "Kuwait, number 260012001546"
_COUNTRY_NUMBER = re.compile(r"^(?P<country>[^,]+),\s*number\s+(?P<number>\S+)$", re.I)
# Facts kept as properties: element path -> property key.
_PROPERTIES = (
    ("PhoneNumbers/PhoneNumber", "phone"),
    ("EmailAddresses/EmailAddress", "email"),
    ("Websites/Website", "website"),
    ("EntityDetails/Entity/TypeOfEntities/TypeOfEntity", "legal_form"),
    ("EntityDetails/Entity/ParentCompanies/ParentCompany", "parent_company"),
    ("EntityDetails/Entity/Subsidiaries/Subsidiary", "subsidiary"),
    ("ShipDetails/Ship/PreviousFlags/PreviousFlag", "previous_flag"),
    ("ShipDetails/Ship/TypeOfShipDetails/TypeOfShip", "vessel_type"),
    ("ShipDetails/Ship/TonnageOfShipDetails/TonnageOfShip", "tonnage"),
    ("ShipDetails/Ship/LengthOfShipDetails/LengthOfShip", "length"),
    ("ShipDetails/Ship/YearsBuilt/YearBuilt", "year_built"),
    ("ShipDetails/Ship/CurrentOwnerOperators/CurrentOwnerOperator", "owner"),
    ("DesignationSource", "designation_source"),
)


class _Reject(Exception):
    """A designation the parser cannot use; becomes a :class:`Skip`."""


def parse(path: Path) -> ParsedList:
    """Parse the UK Sanctions List XML in folder (or file) ``path``.

    Raises:
        ListFormatError: the file is missing, not well-formed XML, or not the UK Sanctions List.
    """
    file = input_file(path, FILE_NAMES)
    root = parse_xml(file).getroot()
    if local(root.tag) != "Designations":
        raise ListFormatError(f"{file.name}: root element is {local(root.tag)}, not Designations")
    result = ParsedList(
        source=SOURCE,
        entries=[],
        as_of=to_date(root.findtext("DateGenerated")) or date_from_folder(file),
        files={file.name: sha256_file(file)},
    )
    for index, element in enumerate(root.iterfind("Designation"), start=1):
        ref = clean(element.findtext("UniqueID")) or f"Designation[{index}]"
        try:
            result.entries.append(_entry(element))
        except _Reject as exc:
            result.skipped.append(Skip(str(exc), ref))
    return result


def _values(el: etree._Element, path: str) -> list[str]:
    """The cleaned texts at ``path``, with "|"-joined values split ("Asset freeze|Travel Ban")."""
    return [
        part for text in iter_text(n.text for n in el.iterfind(path)) for part in _split_bar(text)
    ]


def _split_bar(text: str) -> list[str]:
    return [p for p in (clean(v) for v in text.split("|")) if p]


def _entry(el: etree._Element) -> ListEntry:
    unique_id = clean(el.findtext("UniqueID"))
    if unique_id is None:
        raise _Reject("no UniqueID")
    kind_text = clean(el.findtext("IndividualEntityShip")) or ""
    kind = _KINDS.get(kind_text.lower())
    if kind is None:
        raise _Reject(f"unknown IndividualEntityShip {kind_text!r}")
    names = _names(el, kind)
    if not names:
        raise _Reject("no name")
    countries: list[Country] = []
    identifiers: list[Identifier] = []
    properties: list[tuple[str, str]] = []
    if group_id := clean(el.findtext("OFSIGroupID")):
        properties.append(("ofsi_group_id", group_id))
    if un_ref := clean(el.findtext("UNReferenceNumber")):
        identifiers.append(Identifier(IdentifierType.UN_REF, un_ref))
    for sanction in _values(el, "SanctionsImposed"):
        properties.append(("sanctions", sanction))
    for path, key in _PROPERTIES:
        properties.extend((key, v) for v in _values(el, path))
    if updated := parse_date(el.findtext("LastUpdated")):
        properties.append(("last_updated", updated))
    addresses = []
    for node in el.iterfind("Addresses/Address"):
        address = _address(node)
        if address is not None:
            addresses.append(address)
        if c := country(node.findtext("AddressCountry"), CountryRole.ADDRESS):
            countries.append(c)
    birth_dates: list[str] = []
    birth_places: list[str] = []
    titles = _values(el, "Titles/Title")
    gender = None
    for person in el.iterfind("IndividualDetails/Individual"):
        birth_dates.extend(d for v in _values(person, "DOBs/DOB") if (d := parse_date(v)))
        for value in _values(person, "Nationalities/Nationality"):
            if c := country(value, CountryRole.NATIONALITY):
                countries.append(c)
        for location in person.iterfind("BirthDetails/Location"):
            town = clean(location.findtext("TownOfBirth"))
            birth_country = clean(location.findtext("CountryOfBirth"))
            if place := ", ".join(p for p in (town, birth_country) if p):
                birth_places.append(place)
            if c := country(birth_country, CountryRole.BIRTH):
                countries.append(c)
        identifiers.extend(_passports(person))
        identifiers.extend(_national_ids(person))
        titles.extend(_values(person, "Positions/Position"))
        genders = [g.lower() for g in _values(person, "Genders/Gender")]
        gender = next((g for g in genders if g in ("male", "female")), gender)
    for entity in el.iterfind("EntityDetails/Entity"):
        russian = any(c.code == "RU" for c in countries)
        for text in _values(entity, "BusinessRegistrationNumbers/BusinessRegistrationNumber"):
            identifiers.extend(registration_identifiers(text, russian=russian))
    for ship in el.iterfind("ShipDetails/Ship"):
        for value in _values(ship, "IMONumbers/IMONumber"):
            if digits := re.sub(r"\D", "", value):
                identifiers.append(Identifier(IdentifierType.IMO, digits))
        for value in _values(ship, "CurrentBelievedFlagOfShips/CurrentBelievedFlagOfShip"):
            if c := country(value, CountryRole.FLAG):
                countries.append(c)
    regime = clean(el.findtext("RegimeName"))
    designated = parse_date(el.findtext("DateDesignated"))
    legal_basis = (
        (LegalBasis(title=regime, url=LIST_URL, date=designated, kind="regime"),) if regime else ()
    )
    remarks = [clean(el.findtext("OtherInformation")), clean(el.findtext("UKStatementofReasons"))]
    return ListEntry(
        source=SOURCE,
        source_id=unique_id,
        kind=kind,
        names=names,
        countries=dedupe(countries),
        addresses=dedupe(addresses),
        birth_dates=unique(birth_dates),
        birth_places=unique(birth_places),
        identifiers=dedupe(identifiers),
        programs=unique([_regime_short(regime)]),
        listed_on=designated,
        legal_basis=legal_basis,
        remarks="\n\n".join(unique(remarks)) or None,
        gender=gender,
        titles=unique(titles),
        properties=tuple(sorted(dict.fromkeys(properties))),
    )


def _names(el: etree._Element, kind: EntityKind) -> tuple[Name, ...]:
    names: list[Name] = []
    for node in el.iterfind("Names/Name"):
        given = [p for p in (clean_name(node.findtext(f"Name{i}")) for i in range(1, 6)) if p]
        surname = clean_name(node.findtext("Name6"))
        parts = [*given, *([surname] if surname else [])]
        if not parts:
            continue
        name_type = (clean(node.findtext("NameType")) or "").lower()
        strength = (clean(node.findtext("AliasStrength")) or "").lower()
        if name_type == "primary name":
            name_kind = NameKind.PRIMARY
        elif "former" in name_type or "fka" in name_type:
            name_kind = NameKind.FORMER
        elif strength.startswith("low"):
            name_kind = NameKind.WEAK_ALIAS
        else:
            # "Alias" of good or unstated strength, "Primary Name Variation" (a spelling).
            name_kind = NameKind.ALIAS
        person = kind is EntityKind.PERSON and bool(given) and surname is not None
        names.append(
            Name(
                " ".join(parts),
                name_kind,
                first=given[0] if person else None,
                last=surname if person else None,
            )
        )
    for node in el.iterfind("NonLatinNames/NonLatinName"):
        if value := clean_name(node.findtext("NameNonLatinScript")):
            lang = language_code(node.findtext("NonLatinScriptLanguage"))
            names.append(Name(value, NameKind.ORIGINAL_SCRIPT, lang=lang))
    unique_names = dedupe(names)
    return tuple(sorted(unique_names, key=lambda n: n.kind is not NameKind.PRIMARY))


def _passports(person: etree._Element) -> list[Identifier]:
    out = []
    for node in person.iterfind("PassportDetails/Passport"):
        number = clean(node.findtext("PassportNumber"))
        if number is None:
            continue
        note = clean(node.findtext("PassportAdditionalInformation"))
        out.append(
            Identifier(IdentifierType.PASSPORT, number, country=_leading_country(note), note=note)
        )
    return out


def _national_ids(person: etree._Element) -> list[Identifier]:
    out = []
    for node in person.iterfind("NationalIdentifierDetails/NationalIdentifier"):
        number = clean(node.findtext("NationalIdentifierNumber"))
        if number is None:
            continue
        issuer = None
        found = _COUNTRY_NUMBER.match(number)
        if found:
            issuer, number = country_code(found.group("country")), found.group("number")
        note = clean(node.findtext("NationalIdentifierAdditionalInformation"))
        out.append(Identifier(IdentifierType.NATIONAL_ID, number, country=issuer, note=note))
    return out


def _leading_country(note: str | None) -> str | None:
    """The issuing country a passport note starts with ("Afghanistan passport number ...")."""
    if not note:
        return None
    found = re.match(r"^([A-Z][a-z]+(?: [A-Z][a-z]+)*)\b", note)
    return country_code(found.group(1)) if found else None


def _address(node: etree._Element) -> Address | None:
    lines = list(iter_text(node.findtext(f"AddressLine{i}") for i in range(1, 7)))
    postal = clean(node.findtext("AddressPostalCode"))
    country_text = clean(node.findtext("AddressCountry"))
    if not lines and not postal:
        return None
    return Address(
        full=", ".join(
            [*lines, *([postal] if postal else []), *([country_text] if country_text else [])]
        ),
        street=", ".join(lines[:2]) or None,
        city=clean(node.findtext("AddressLine6")) or clean(node.findtext("AddressLine5")),
        postal_code=postal,
        country=country_code(country_text),
    )


def _regime_short(regime: str | None) -> str | None:
    if regime is None:
        return None
    found = _REGIME_SHORT.match(regime)
    return found.group("short") if found else regime
