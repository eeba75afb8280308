"""UN Security Council Consolidated List (``consolidated.xml``).

One ``INDIVIDUAL`` or ``ENTITY`` element per designation; its
``REFERENCE_NUMBER`` (``KPe.001``, ``QDi.012``) is the stable id. The list
names the sanctions regime in ``UN_LIST_TYPE``; :data:`REGIMES` maps it to the
Security Council resolution that set the regime up and the committee's page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from lists.base import ParsedList, Skip, date_from_folder, input_file, sha256_file
from lists.formats.dates import parse_date, parse_month, to_date, year_range
from lists.formats.values import (
    clean,
    clean_name,
    country,
    country_code,
    document_type,
    iter_text,
    unique,
)
from lists.formats.xml import local, parse_xml
from screening.core.model import (
    Address,
    Country,
    CountryRole,
    EntityKind,
    Identifier,
    LegalBasis,
    ListEntry,
    Name,
    NameKind,
    dedupe,
)
from screening.errors import ListFormatError

SOURCE = "un_sc"
FILE_NAMES = ("consolidated.xml",)
_COMMITTEES = "https://www.un.org/securitycouncil/sanctions/"


@dataclass(frozen=True, slots=True)
class Regime:
    title: str
    url: str | None


# UN_LIST_TYPE -> the resolution(s) establishing the regime, and its committee page.
REGIMES: dict[str, Regime] = {
    "Al-Qaida": Regime("UNSCR 1267 (1999)/1989 (2011)/2253 (2015)", _COMMITTEES + "1267"),
    "Taliban": Regime("UNSCR 1988 (2011)", _COMMITTEES + "1988"),
    "DPRK": Regime("UNSCR 1718 (2006)", _COMMITTEES + "1718"),
    # The Iran entries of 2026 are the 1737 (2006) regime that the "snapback"
    # of September 2025 restored; UNSCR 2231 (2015) terminated in October 2025.
    "Iran": Regime("UNSCR 1737 (2006)", _COMMITTEES + "1737"),
    "Iraq": Regime("UNSCR 1483 (2003)", _COMMITTEES + "1518"),
    "DRC": Regime("UNSCR 1533 (2004)", _COMMITTEES + "1533"),
    "Libya": Regime("UNSCR 1970 (2011)", _COMMITTEES + "1970"),
    # Resolution 2713 (2023) re-established the Somalia committee as the Al-Shabaab committee.
    "Somalia": Regime("UNSCR 751 (1992)/2713 (2023)", _COMMITTEES + "2713"),
    "Sudan": Regime("UNSCR 1591 (2005)", _COMMITTEES + "1591"),
    "SouthSudan": Regime("UNSCR 2206 (2015)", _COMMITTEES + "2206"),
    "CAR": Regime("UNSCR 2127 (2013)", _COMMITTEES + "2127"),
    "Yemen": Regime("UNSCR 2140 (2014)", _COMMITTEES + "2140"),
    "Mali": Regime("UNSCR 2374 (2017)", _COMMITTEES + "2374"),
    "Haiti": Regime("UNSCR 2653 (2022)", _COMMITTEES + "2653"),
    "Lebanon": Regime("UNSCR 1636 (2005)", _COMMITTEES + "1636"),
    "GB": Regime("UNSCR 2048 (2012)", _COMMITTEES + "2048"),
}

# ALIAS QUALITY -> name kind. "Low" is the UN's low-quality alias: too vague to match on alone.
_ALIAS_KINDS: dict[str, NameKind] = {
    "good": NameKind.ALIAS,
    "a.k.a.": NameKind.ALIAS,
    "low": NameKind.WEAK_ALIAS,
    "f.k.a.": NameKind.FORMER,
}
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_TRAILING_NUMBER = re.compile(r"(\d[\w/-]{3,})\s*$")


class _Reject(Exception):
    """A record the parser cannot use; becomes a :class:`Skip`."""


def parse(path: Path) -> ParsedList:
    """Parse the UN consolidated list in folder (or file) ``path``.

    Raises:
        ListFormatError: the file is missing, not well-formed XML, or not the UN list.
    """
    file = input_file(path, FILE_NAMES)
    root = parse_xml(file).getroot()
    if local(root.tag) != "CONSOLIDATED_LIST":
        raise ListFormatError(
            f"{file.name}: root element is {local(root.tag)}, not CONSOLIDATED_LIST"
        )
    if root.find("INDIVIDUALS") is None and root.find("ENTITIES") is None:
        raise ListFormatError(f"{file.name}: neither INDIVIDUALS nor ENTITIES in the list")
    result = ParsedList(
        source=SOURCE,
        entries=[],
        as_of=to_date(root.get("dateGenerated")) or date_from_folder(file),
        files={file.name: sha256_file(file)},
    )
    for path_expr, kind in (
        ("INDIVIDUALS/INDIVIDUAL", EntityKind.PERSON),
        ("ENTITIES/ENTITY", EntityKind.ORGANIZATION),
    ):
        for index, element in enumerate(root.iterfind(path_expr), start=1):
            ref = clean(element.findtext("REFERENCE_NUMBER")) or f"{path_expr}[{index}]"
            try:
                result.entries.append(_entry(element, kind))
            except _Reject as exc:
                result.skipped.append(Skip(str(exc), ref))
    return result


def _entry(el: etree._Element, kind: EntityKind) -> ListEntry:
    ref = clean(el.findtext("REFERENCE_NUMBER"))
    if ref is None:
        raise _Reject("no REFERENCE_NUMBER")
    prefix = "INDIVIDUAL" if kind is EntityKind.PERSON else "ENTITY"
    names = _names(el, kind, prefix)
    birth_dates: list[str] = []
    birth_places: list[str] = []
    countries: list[Country] = []
    properties: list[tuple[str, str]] = []
    for dob in el.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        dates, islamic = _birth_dates(dob)
        birth_dates.extend(dates)
        if islamic:
            properties.append(("birth_date_islamic", islamic))
    for pob in el.iterfind("INDIVIDUAL_PLACE_OF_BIRTH"):
        place = ", ".join(
            iter_text(pob.findtext(t) for t in ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY"))
        )
        if place:
            birth_places.append(place)
        if c := country(pob.findtext("COUNTRY"), CountryRole.BIRTH):
            countries.append(c)
    # An alias may come with the birth date and place used under it.
    for alias in el.iterfind(f"{prefix}_ALIAS"):
        if alias_dob := parse_date(alias.findtext("DATE_OF_BIRTH")):
            birth_dates.append(alias_dob)
        place = ", ".join(
            iter_text(alias.findtext(t) for t in ("CITY_OF_BIRTH", "COUNTRY_OF_BIRTH"))
        )
        if place:
            birth_places.append(place)
    for value in _values(el, "NATIONALITY/VALUE"):
        # One record's nationality reads "na": not available, not Namibia.
        if value.lower() != "na" and (c := country(value, CountryRole.NATIONALITY)):
            countries.append(c)
    addresses = []
    for node in el.iterfind(f"{prefix}_ADDRESS"):
        address = _address(node)
        if address is not None:
            addresses.append(address)
        if c := country(node.findtext("COUNTRY"), CountryRole.ADDRESS):
            countries.append(c)
    list_type = clean(el.findtext("UN_LIST_TYPE"))
    listed_on = parse_date(el.findtext("LISTED_ON"))
    legal_basis: list[LegalBasis] = []
    if list_type:
        regime = REGIMES.get(list_type)
        title = regime.title if regime else f"UN Security Council sanctions ({list_type})"
        url = regime.url if regime else None
        legal_basis.append(LegalBasis(title=title, url=url, date=listed_on, kind="resolution"))
    properties.extend(("last_updated", v) for v in _values(el, "LAST_DAY_UPDATED/VALUE"))
    gender = clean(el.findtext("GENDER"))
    return ListEntry(
        source=SOURCE,
        source_id=ref,
        kind=kind,
        names=names,
        countries=dedupe(countries),
        addresses=dedupe(addresses),
        birth_dates=unique(birth_dates),
        birth_places=unique(birth_places),
        identifiers=dedupe(_documents(el)),
        programs=unique([list_type]),
        listed_on=listed_on,
        legal_basis=tuple(legal_basis),
        remarks=clean(el.findtext("COMMENTS1")),
        gender=gender.lower() if gender and gender.lower() in ("male", "female") else None,
        titles=unique([*_values(el, "TITLE/VALUE"), *_values(el, "DESIGNATION/VALUE")]),
        properties=tuple(sorted(dict.fromkeys(properties))),
    )


def _values(el: etree._Element, path: str) -> list[str]:
    """The cleaned texts of the elements at ``path`` under ``el``."""
    return list(iter_text(node.text for node in el.iterfind(path)))


def _names(el: etree._Element, kind: EntityKind, prefix: str) -> tuple[Name, ...]:
    parts = [p for p in (clean_name(el.findtext(t)) for t in _NAME_PARTS) if p]
    if not parts:
        raise _Reject("no name")
    structured = kind is EntityKind.PERSON and len(parts) > 1
    names = [
        Name(
            " ".join(parts),
            NameKind.PRIMARY,
            first=parts[0] if structured else None,
            last=parts[-1] if structured else None,
        )
    ]
    for original in _values(el, "NAME_ORIGINAL_SCRIPT"):
        names.append(Name(original, NameKind.ORIGINAL_SCRIPT))
    for alias in el.iterfind(f"{prefix}_ALIAS"):
        value = clean_name(alias.findtext("ALIAS_NAME"))
        if value is None:
            continue
        quality = (clean(alias.findtext("QUALITY")) or "").lower()
        names.append(Name(value, _ALIAS_KINDS.get(quality, NameKind.ALIAS)))
    return dedupe(names)


def _birth_dates(dob: etree._Element) -> tuple[list[str], str | None]:
    """The ISO birth dates one INDIVIDUAL_DATE_OF_BIRTH gives, and a Hijri date noted in it."""
    date_type = (clean(dob.findtext("TYPE_OF_DATE")) or "").upper()
    note = clean(dob.findtext("NOTE"))
    if note and "hijri" in note.lower():
        return [], note
    if date_type == "BETWEEN":
        return list(year_range(dob.findtext("FROM_YEAR"), dob.findtext("TO_YEAR"))), None
    if value := parse_date(dob.findtext("DATE")):
        return [value], None
    year = parse_date(dob.findtext("YEAR"))
    if year:
        # <YEAR>1958</YEAR><NOTE>Sep.</NOTE>: the note carries the month.
        month = parse_month(note)
        return [f"{year}-{month:02d}" if month else year], None
    if value := parse_date(note):
        return [value], None
    return [], None


def _address(node: etree._Element) -> Address | None:
    street = clean(node.findtext("STREET"))
    city = clean(node.findtext("CITY"))
    region = clean(node.findtext("STATE_PROVINCE"))
    postal = clean(node.findtext("ZIP_CODE"))
    country_text = clean(node.findtext("COUNTRY"))
    if not (street or city or region or postal):
        return None  # a bare country is kept as a Country, not an address
    full = ", ".join(p for p in (street, city, region, postal, country_text) if p)
    return Address(
        full=full,
        street=street,
        city=city,
        postal_code=postal,
        region=region,
        country=country_code(country_text),
    )


def _documents(el: etree._Element) -> list[Identifier]:
    out: list[Identifier] = []
    for doc in el.iterfind("INDIVIDUAL_DOCUMENT"):
        type_text = clean(doc.findtext("TYPE_OF_DOCUMENT"))
        detail = clean(doc.findtext("TYPE_OF_DOCUMENT2"))
        number = clean(doc.findtext("NUMBER"))
        if number is None and detail:
            # "Afghan national identification card (tazkira) number 57388"
            found = _TRAILING_NUMBER.search(detail)
            number = found.group(1) if found else None
        if number is None:
            continue
        kind = document_type(type_text if type_text else detail)
        issued = clean(doc.findtext("DATE_OF_ISSUE"))
        note = "; ".join(
            unique(
                [
                    detail,
                    f"issued {issued}" if issued else None,
                    clean(doc.findtext("CITY_OF_ISSUE")),
                    clean(doc.findtext("NOTE")),
                ]
            )
        )
        out.append(
            Identifier(
                type=kind,
                value=number,
                country=country_code(
                    doc.findtext("ISSUING_COUNTRY") or doc.findtext("COUNTRY_OF_ISSUE")
                ),
                note=note or None,
            )
        )
    return out
