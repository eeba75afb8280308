"""OFAC list formats: the legacy CSV set, the Enhanced XML and the legacy SDN.XML.

OFAC publishes the SDN list and the Consolidated (non-SDN) list in the same
shapes, so one module reads both:

* **legacy CSV set**: headerless ``sdn.csv`` (or ``cons_prim.csv``) plus the
  companions ``add.csv``, ``alt.csv`` and ``sdn_comments.csv`` joined on
  ``ent_num``. ``-0-`` means empty; a Ctrl-Z line ends each file. Most facts
  (dates of birth, identifiers, weak aliases, links) sit in the free-text
  Remarks column, which :func:`parse_remarks` turns into typed facts.
* **Enhanced XML** (``SDN_ENHANCED.XML`` / ``CONS_ENHANCED.XML``, also zipped):
  every fact is structured; :func:`parse_enhanced_xml`.
* **legacy SDN.XML** (``sdnList``, namespace ``http://tempuri.org/sdnList.xsd``):
  :func:`parse_sdn_xml`.

:func:`parse_ofac_path` picks the format from the files present. Pure parsing:
no network, no database.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from lxml import etree

from lists.base import ParsedList, Skip, date_from_folder, find_file, sha256_file
from lists.formats.xml import MAX_XML_BYTES, local, parse_xml, text
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

log = logging.getLogger(__name__)

MAX_CSV_BYTES = 256 * 1024 * 1024
MAX_ZIP_MEMBER_BYTES = MAX_XML_BYTES

# OFAC cuts the Remarks column of sdn.csv / cons_prim.csv at this many
# characters and carries the rest in sdn_comments.csv / cons_comments.csv.
REMARKS_CUT = 1000

DETAILS_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={}"
_PROGRAM_PAGE = "https://ofac.treasury.gov/sanctions-programs-and-country-information/"

# OFAC's page for each programme tag, where the slug is known. Tags not listed
# here still become a LegalBasis, just without a url.
PROGRAM_URLS: dict[str, str] = {
    tag: _PROGRAM_PAGE + slug
    for slug, tags in {
        "russian-harmful-foreign-activities-sanctions": ("RUSSIA-EO14024",),
        "ukraine-russia-related-sanctions": (
            "UKRAINE-EO13660",
            "UKRAINE-EO13661",
            "UKRAINE-EO13662",
            "UKRAINE-EO13685",
        ),
        "cuba-sanctions": ("CUBA",),
        "iran-sanctions": (
            "IRAN",
            "IRAN-HR",
            "IRAN-TRA",
            "IRAN-EO13846",
            "IRAN-EO13871",
            "IRAN-EO13876",
            "IRAN-EO13902",
            "IRAN-CON-ARMS-EO",
            "IFSR",
            "IRGC",
            "HRIT-IR",
        ),
        "counter-terrorism-sanctions": ("SDGT", "FTO"),
        "counter-narcotics-trafficking": ("SDNT", "SDNTK"),
        "north-korea-sanctions": ("DPRK", "DPRK2", "DPRK3", "DPRK4", "DPRK-NKSPEA"),
        "syria-sanctions": ("SYRIA",),
        "venezuela-related-sanctions": ("VENEZUELA", "VENEZUELA-EO13850", "VENEZUELA-EO13884"),
        "belarus-sanctions": ("BELARUS", "BELARUS-EO14038"),
        "global-magnitsky-sanctions": ("GLOMAG",),
        "non-proliferation-sanctions": ("NPWMD",),
    }.items()
    for tag in tags
}


def program_basis(program: str) -> LegalBasis:
    """The legal basis for one OFAC programme tag (``kind="program"``)."""
    return LegalBasis(title=program, url=PROGRAM_URLS.get(program), kind="program")


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_DMY = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{4})$")
_MY = re.compile(r"^([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{4})$")
_Y = re.compile(r"^(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+)?$")
_CIRCA = re.compile(r"^(?:circa|approximately|approx\.?|about|ca\.)\s+", re.IGNORECASE)
_RANGE = re.compile(r"^(.+?)\s+to\s+(.+)$|^(\d{4})\s*-\s*(\d{4})$")
_MAX_YEAR_SPAN = 10  # a wider range is kept as its two ends, not every year


def _one_date(value: str) -> str | None:
    value = value.strip().rstrip(".").strip()
    if m := _DMY.match(value):
        day, month, year = int(m.group(1)), _MONTHS.get(m.group(2).lower()), int(m.group(3))
        if month is None:
            return None
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return None
    if m := _MY.match(value):
        month = _MONTHS.get(m.group(1).lower())
        return f"{m.group(2)}-{month:02d}" if month else None
    if m := _Y.match(value):
        return m.group(1)
    if m := _ISO.match(value):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            return None
    return None


def parse_dates(value: str | None) -> tuple[str, ...]:
    """ISO (possibly partial) dates for an OFAC date expression; () when unreadable.

    "12 Jan 1960" -> ("1960-01-12",); "Jan 1960" -> ("1960-01",); "circa 1960"
    -> ("1960",); "1960 to 1962" and "01 Jan 1960 to 31 Dec 1962" -> every
    year of the range (at most ten, else the two ends); other ranges -> both ends.
    """
    if not value:
        return ()
    value = _CIRCA.sub("", value.strip().rstrip(".").strip())
    if m := _RANGE.match(value):
        lo_text, hi_text = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        lo, hi = _one_date(_CIRCA.sub("", lo_text)), _one_date(_CIRCA.sub("", hi_text))
        if lo is None or hi is None:
            return ()
        lo_year = lo[:4] if lo[4:] in ("", "-01", "-01-01") else None
        hi_year = hi[:4] if hi[4:] in ("", "-12", "-12-31") else None
        if lo_year and hi_year and 0 <= int(hi_year) - int(lo_year) <= _MAX_YEAR_SPAN:
            return tuple(str(y) for y in range(int(lo_year), int(hi_year) + 1))
        return tuple(dict.fromkeys((lo, hi)))
    one = _one_date(value)
    return (one,) if one else ()


# ---------------------------------------------------------------------------
# Facts by label: shared by the remarks parser and both XML formats
# ---------------------------------------------------------------------------

_T = IdentifierType

# The list's own label for an identifier -> our type. Russian numbers are
# refined by _refine_identifier (INN, OGRN).
IDENTIFIER_LABELS: dict[str, IdentifierType] = {
    "Passport": _T.PASSPORT,
    "Diplomatic Passport": _T.PASSPORT,
    "Passport Booklet": _T.PASSPORT,
    "Travel Document Number": _T.PASSPORT,
    "National ID No.": _T.NATIONAL_ID,
    "Identification Number": _T.NATIONAL_ID,
    "Personal ID Card": _T.NATIONAL_ID,
    "Cedula No.": _T.NATIONAL_ID,
    "C.U.R.P.": _T.NATIONAL_ID,
    "D.N.I.": _T.NATIONAL_ID,
    "C.U.I.": _T.NATIONAL_ID,
    "C.U.I.P.": _T.NATIONAL_ID,
    "Kenyan ID No.": _T.NATIONAL_ID,
    "Citizen's Card Number": _T.NATIONAL_ID,
    "Turkish Identification Number": _T.NATIONAL_ID,
    "Numero de Identidad": _T.NATIONAL_ID,
    "National Foreign ID Number": _T.NATIONAL_ID,
    "SSN": _T.NATIONAL_ID,
    "Tazkira National ID Card": _T.NATIONAL_ID,
    "Tax ID No.": _T.TAX_ID,
    "R.F.C.": _T.TAX_ID,
    "RFC": _T.TAX_ID,
    "V.A.T. Number": _T.TAX_ID,
    "Italian Fiscal Code": _T.TAX_ID,
    "C.U.I.T.": _T.TAX_ID,
    "US FEIN": _T.TAX_ID,
    "RTN": _T.TAX_ID,
    "NIT #": _T.TAX_ID,
    "RUC #": _T.TAX_ID,
    "RIF #": _T.TAX_ID,
    "C.I.F.": _T.TAX_ID,
    "Numero Unico de Identificacao Tributaria (NUIT)": _T.TAX_ID,
    "Registration Number": _T.REGISTRATION,
    "Registration ID": _T.REGISTRATION,
    "Business Registration Number": _T.REGISTRATION,
    "Business Registration Document #": _T.REGISTRATION,
    "Public Registration Number": _T.REGISTRATION,
    "Company Number": _T.REGISTRATION,
    "UK Company Number": _T.REGISTRATION,
    "Commercial Registry Number": _T.REGISTRATION,
    "Certificate of Incorporation Number": _T.REGISTRATION,
    "Chamber of Commerce Number": _T.REGISTRATION,
    "Istanbul Chamber of Comm. No.": _T.REGISTRATION,
    "Dubai Chamber of Commerce Membership No.": _T.REGISTRATION,
    "Central Registration System Number": _T.REGISTRATION,
    "Economic Register Number (CBLS)": _T.REGISTRATION,
    "Trade License No.": _T.REGISTRATION,
    "Enterprise Number": _T.REGISTRATION,
    "Branch Unit Number": _T.REGISTRATION,
    "Business Number": _T.REGISTRATION,
    "C.R. No.": _T.REGISTRATION,
    "Folio Mercantil No.": _T.REGISTRATION,
    "Matricula Mercantil No": _T.REGISTRATION,
    "LE Number": _T.REGISTRATION,
    "Registered Charity No.": _T.REGISTRATION,
    "File Number": _T.REGISTRATION,
    "Organization Code": _T.REGISTRATION,
    "Unified Social Credit Code (USCC)": _T.USCC,
    "United Social Credit Code Certificate (USCCC)": _T.USCC,
    "Legal Entity Number": _T.LEI,
    "SWIFT/BIC": _T.SWIFT,
    "Vessel Registration Identification": _T.IMO,
    "IMO": _T.IMO,
    "MMSI": _T.MMSI,
    "Vessel Call Sign": _T.CALL_SIGN,
    "Call Sign": _T.CALL_SIGN,
    "Aircraft Manufacturer's Serial Number (MSN)": _T.AIRCRAFT_MSN,
    "Aircraft Construction Number (also called L/N or S/N or F/N)": _T.AIRCRAFT_MSN,
    "Aircraft Serial Identification": _T.AIRCRAFT_MSN,
    "Aircraft Tail Number": _T.AIRCRAFT_TAIL,
    "Previous Aircraft Tail Number": _T.AIRCRAFT_TAIL,
    # Russian OKPO code; no type of its own, so kept as OTHER with its label.
    "Government Gazette Number": _T.OTHER,
    "BIK (RU)": _T.OTHER,
    "D-U-N-S Number": _T.OTHER,
    "License": _T.OTHER,
    "Permit Number": _T.OTHER,
    "SRE Permit No.": _T.OTHER,
    "Afghan Money Service Provider License Number": _T.OTHER,
    "Public Security and Immigration No.": _T.OTHER,
    "Residency Number": _T.OTHER,
    "Birth Certificate Number": _T.OTHER,
    "Electoral Registry No.": _T.OTHER,
    "Credencial electoral": _T.OTHER,
    "I.F.E.": _T.OTHER,
    "Driver's License No.": _T.OTHER,
    "Cartilla de Servicio Militar Nacional": _T.OTHER,
    "VisaNumberID": _T.OTHER,
    "Chinese Commercial Code": _T.OTHER,
    "Aircraft Mode S Transponder Code": _T.OTHER,
}

# The list's label -> our property key, for facts with no field of their own.
PROPERTY_LABELS: dict[str, str] = {
    "Website": "website",
    "Email Address": "email",
    "Phone Number": "phone",
    "Telephone": "phone",
    "Fax": "fax",
    "Secondary sanctions risk": "secondary_sanctions_risk",
    "Additional Sanctions Information": "additional_sanctions_information",
    "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions": (
        "transactions_prohibited"
    ),
    "Organization Established Date": "organization_established_date",
    "Organization Type": "organization_type",
    "Target Type": "target_type",
    "Digital Currency Address": "digital_currency_address",
    "Executive Order 13662 Directive Determination": "directive",
    "Executive Order 14024 Directive Information": "directive",
    "Executive Order 14014 Directive Information": "directive",
    "Executive Order 13846 information": "eo13846_information",
    "Executive Order 14059 information": "eo14059_information",
    "CAATSA Section 235 Information": "caatsa_235_information",
    "IFCA Determination": "ifca_determination",
    "PEESA Information": "peesa_information",
    "ISIN": "isin",
    "Equity Ticker": "equity_ticker",
    "Issuer Name": "issuer_name",
    "Aircraft Model": "aircraft_model",
    "Aircraft Manufacture Date": "aircraft_manufacture_date",
    "Aircraft Operator": "aircraft_operator",
    "Vessel Year of Build": "vessel_year_of_build",
    "Vessel Type": "vessel_type",
    "Other Vessel Type": "other_vessel_type",
    "Vessel Owner": "vessel_owner",
    "Vessel Tonnage": "tonnage",
    "Vessel Gross Registered Tonnage": "gross_registered_tonnage",
    "Former Vessel Flag": "former_vessel_flag",
    "Listing Date": "listing_date",
    "Effective Date": "effective_date",
    "Purchase/Sales For Divestment Date": "divestment_date",
}

# Dated directive labels carry a qualifier in parentheses: "Listing Date (CMIC)",
# "Effective Date (EO 14024 Directive 2):".
_QUALIFIED = re.compile(
    r"^(Listing Date|Effective Date|Purchase/Sales For Divestment Date)\s*\(([^)]*)\)\s*:?$"
)

# Facts with a field of their own, by label (aliases cover the XML formats' names).
_FIELD_LABELS: dict[str, str] = {
    "DOB": "dob",
    "Birthdate": "dob",
    "Date of Birth": "dob",
    "POB": "pob",
    "Place of Birth": "pob",
    "nationality": "nationality",
    "Nationality Country": "nationality",
    "citizen": "citizen",
    "Citizenship Country": "citizen",
    "Nationality of Registration": "registration_country",
    "Vessel Flag": "flag",
    "Gender": "gender",
    "Linked To": "linked",
    "Position": "title",
    "Title": "title",
    "a.k.a.": "aka",
    "f.k.a.": "fka",
    "n.k.a.": "nka",
}

# Remark pieces that are boilerplate links, not facts: dropped from the facts
# (the text stays in ListEntry.remarks).
_BOILERPLATE = re.compile(
    r"^(?:for more information|executive order \d+ directive information -)", re.I
)


def _norm_label(label: str) -> str:
    """Labels compare without case and without a trailing ':' or ' -'."""
    return re.sub(r"[\s:\-]+$", "", label.strip()).lower()


# One alternation over every label, longest first so "Passport Booklet" wins
# over "Passport" and "Nationality of Registration" over "nationality".
_LABEL_RE = re.compile(
    r"^(?P<alt>alt\.\s+)?(?P<label>"
    + r"(?:Listing Date|Effective Date|Purchase/Sales For Divestment Date)\s*\([^)]*\)|"
    + "|".join(
        re.escape(label)
        for label in sorted(
            {*IDENTIFIER_LABELS, *PROPERTY_LABELS, *_FIELD_LABELS}, key=len, reverse=True
        )
    )
    + r")(?=[\s:.\-]|$)[\s:\-]*(?P<value>.*)$",
    re.IGNORECASE | re.DOTALL,
)

_ID_VALUE = re.compile(
    r"^(?P<number>.+?)(?:\s*\((?P<country>[^()]*)\))?"
    r"(?P<rest>\s+(?:issued|expires|issue date|expiration date|expire date)\b.*)?$",
    re.IGNORECASE | re.DOTALL,
)
_QUOTED = re.compile(r"^'(.*)'$", re.DOTALL)
_DIGITS = re.compile(r"^\d+$")


@dataclass
class Facts:
    """Typed facts gathered for one entry, in list order, before deduplication."""

    names: list[Name] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    countries: list[Country] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    linked_to: list[str] = field(default_factory=list)
    properties: list[tuple[str, str]] = field(default_factory=list)
    gender: str | None = None
    # Remark pieces no rule understood; their text stays in ListEntry.remarks.
    unparsed: list[str] = field(default_factory=list)

    def add_country(self, label: str | None, role: CountryRole, code: str | None = None) -> None:
        """Add a country by its name as the list gives it (``XX`` when unmappable)."""
        label = (label or "").strip().rstrip(".").strip() or None
        if label is None and code is None:
            return
        if code is None and label and _OFAC_COUNTRIES.get(label.lower(), "") is None:
            return  # "undetermined" and the like name no country
        code = (code or country_code(label) or "XX").upper()
        self.countries.append(Country(code=code, role=role, label=label))

    def add_identifier(
        self,
        label: str,
        number: str,
        country: str | None = None,
        note: str | None = None,
        country_iso: str | None = None,
    ) -> None:
        """Add an identifier under the list's own label (``label`` is kept in the note)."""
        number = number.strip().rstrip(".").strip()
        if not number:
            return
        id_type = IDENTIFIER_LABELS.get(label) or _ID_TYPE_BY_NORM.get(
            _norm_label(label), IdentifierType.OTHER
        )
        iso = country_iso or country_code(country)
        id_type, number = _refine_identifier(id_type, number, iso, note)
        full_note = "; ".join(p for p in (label.strip(), note) if p)
        self.identifiers.append(Identifier(type=id_type, value=number, country=iso, note=full_note))

    def add_property(self, key: str, value: str | None) -> None:
        value = (value or "").strip()
        if value:
            self.properties.append((key, value))


_ID_TYPE_BY_NORM = {_norm_label(k): v for k, v in IDENTIFIER_LABELS.items()}
_PROP_BY_NORM = {_norm_label(k): v for k, v in PROPERTY_LABELS.items()}
_FIELD_BY_NORM = {_norm_label(k): v for k, v in _FIELD_LABELS.items()}

# Country names OFAC uses that the general table does not carry, and
# placeholders that name no country at all (mapped to None).
_OFAC_COUNTRIES: dict[str, str | None] = {
    "palestinian": "PS",
    "possibly palestinian": "PS",
    "eritrean": "ER",
    "man, isle of": "IM",
    "region: gaza": "PS",
    "region: west bank": "PS",
    "undetermined": None,
    "unknown": None,
    "none identified": None,
}


@lru_cache(maxsize=8192)
def country_code(label: str | None) -> str | None:
    """ISO alpha-2 for a country as OFAC names it, or None."""
    if not label:
        return None
    key = label.strip().rstrip(".").strip().lower()
    if key in _OFAC_COUNTRIES:
        return _OFAC_COUNTRIES[key]
    return to_iso2(label)


def _refine_identifier(
    id_type: IdentifierType, number: str, iso: str | None, note: str | None
) -> tuple[IdentifierType, str]:
    """Type Russian tax and state-registration numbers precisely; clean IMO numbers."""
    digits = number.replace(" ", "")
    russian_number = iso == "RU" and _DIGITS.match(digits) is not None
    if id_type is IdentifierType.TAX_ID and russian_number and len(digits) in (10, 12):
        return IdentifierType.INN, digits
    # OGRN has 13 digits (companies) or 15 (OGRNIP, sole traders).
    if (
        id_type is IdentifierType.REGISTRATION
        and russian_number
        and (len(digits) in (13, 15) or (note or "").upper() == "OGRN")
    ):
        return IdentifierType.OGRN, digits
    if id_type is IdentifierType.IMO:
        return id_type, re.sub(r"^IMO\s*", "", number, flags=re.IGNORECASE)
    return id_type, number


def apply_fact(
    facts: Facts,
    label: str,
    value: str,
    *,
    country: str | None = None,
    country_iso: str | None = None,
    note: str | None = None,
) -> bool:
    """File one labelled fact (remark piece, XML feature or id document) into ``facts``.

    Returns False when the label is unknown, so the caller can keep the text.
    """
    norm = _norm_label(label)
    value = value.strip()
    if norm in _ID_TYPE_BY_NORM:
        facts.add_identifier(label, value, country, note, country_iso)
        return True
    qualified = _QUALIFIED.match(label.strip())
    if qualified:
        key = PROPERTY_LABELS[qualified.group(1)]
        facts.add_property(key, f"{qualified.group(2)}: {_iso_or_text(value)}")
        return True
    if norm in _PROP_BY_NORM:
        key = _PROP_BY_NORM[norm]
        if key in ("organization_established_date", "aircraft_manufacture_date"):
            value = _iso_or_text(value)
        facts.add_property(key, value.rstrip(".").strip() if key != "website" else value)
        return True
    kind = _FIELD_BY_NORM.get(norm)
    if kind is None:
        return False
    clean = value.rstrip(".").strip()
    if kind == "dob":
        dates = parse_dates(clean)
        if not dates:
            return False
        facts.birth_dates.extend(dates)
    elif kind == "pob":
        facts.birth_places.append(clean)
        code = country_iso or country_code(clean)
        if code:
            facts.countries.append(Country(code=code, role=CountryRole.BIRTH, label=clean))
    elif kind == "nationality":
        facts.add_country(clean, CountryRole.NATIONALITY, country_iso)
    elif kind == "citizen":
        facts.add_country(clean, CountryRole.CITIZENSHIP, country_iso)
    elif kind == "registration_country":
        facts.add_country(clean, CountryRole.REGISTRATION, country_iso)
    elif kind == "flag":
        facts.add_country(clean, CountryRole.FLAG, country_iso)
    elif kind == "gender":
        lowered = clean.lower()
        if lowered not in ("male", "female"):
            return False
        facts.gender = lowered
    elif kind == "linked":
        facts.linked_to.append(_strip_sentence_dot(value))
    elif kind == "title":
        facts.titles.append(_strip_sentence_dot(value))
    else:  # a.k.a. / f.k.a. / n.k.a. written in Remarks
        unquoted = value.rstrip(".") if value.endswith("'.") else value
        quoted = _QUOTED.match(unquoted)
        name = (quoted.group(1) if quoted else _strip_sentence_dot(value)).strip()
        if not name:
            return False
        # OFAC's "weak" aliases are exactly the a.k.a. (and n.k.a.) it prints in
        # Remarks rather than in the alias file: low quality for matching. An
        # f.k.a. there is a name the party really bore (a vessel's former names:
        # 4243 EBANO "f.k.a. 'ANA I'"), as strong as an alias-file f.k.a.
        name_kind = NameKind.FORMER if kind == "fka" else NameKind.WEAK_ALIAS
        facts.names.append(Name(value=name, kind=name_kind))
    return True


def _iso_or_text(value: str) -> str:
    dates = parse_dates(value)
    return dates[0] if len(dates) == 1 else value.strip().rstrip(".").strip()


# ---------------------------------------------------------------------------
# Remarks
# ---------------------------------------------------------------------------


def split_remarks(remarks: str) -> list[str]:
    """The ';'-separated pieces of an OFAC Remarks text, outside single quotes."""
    if "'" not in remarks:  # the common case needs no quote tracking
        return [p.strip() for p in remarks.split(";") if p.strip()]
    pieces: list[str] = []
    start = 0
    in_quote = False
    n = len(remarks)
    for i, ch in enumerate(remarks):
        if ch == "'":
            # An apostrophe inside a word (JIM'ALE) neither opens nor closes a quote.
            before = remarks[i - 1] if i else " "
            after = remarks[i + 1] if i + 1 < n else " "
            if not in_quote and not before.isalnum():
                in_quote = True
            elif in_quote and not after.isalnum():
                in_quote = False
        elif ch == ";" and not in_quote:
            pieces.append(remarks[start:i])
            start = i + 1
    pieces.append(remarks[start:])
    return [p.strip() for p in pieces if p.strip()]


def parse_remarks(remarks: str | None, facts: Facts | None = None) -> Facts:
    """Typed facts from an OFAC Remarks text ("DOB 03 Aug 1985; nationality Russia; ...").

    Known pieces become dates of birth, places, countries, identifiers, weak
    aliases, links and properties; the rest are listed in ``Facts.unparsed``.
    """
    facts = facts if facts is not None else Facts()
    if not remarks:
        return facts
    for piece in split_remarks(remarks):
        match = _LABEL_RE.match(piece)
        if match is None:
            if not _BOILERPLATE.match(piece):
                facts.unparsed.append(piece)
            continue
        label, value = match.group("label"), match.group("value")
        if _norm_label(label) in _ID_TYPE_BY_NORM:
            if not _remark_identifier(facts, label, value):
                facts.unparsed.append(piece)
        elif _BOILERPLATE.match(piece):
            continue
        elif not apply_fact(facts, label, value):
            facts.unparsed.append(piece)
    return facts


_ABBREVIATION_END = re.compile(
    r"(?:\.\S*|\b(?:LTD|LTDA|INC|CORP|CO|CIA|BHD|PTE|PVT|JR|SR|ST|DR|[A-Z]))\.$", re.IGNORECASE
)


def _strip_sentence_dot(value: str) -> str:
    """Drop the full stop that ends a Remarks text, but not the one of "S.A." or "LTD."."""
    value = value.strip()
    if value.endswith(".") and not _ABBREVIATION_END.search(value):
        return value[:-1].rstrip()
    return value


def _remark_identifier(facts: Facts, label: str, value: str) -> bool:
    match = _ID_VALUE.match(value.strip().rstrip(".").rstrip())
    if match is None or not match.group("number").strip():
        return False
    number = match.group("number").strip()
    country = match.group("country")
    rest = (match.group("rest") or "").strip() or None
    # "(Russia)" names a country; anything else in parentheses stays in the number.
    if (
        country is not None
        and country_code(country) is None
        and country.lower() not in _OFAC_COUNTRIES
    ):
        number = f"{number} ({country})"
        country = None
    facts.add_identifier(label, number, country, rest)
    return True


# ---------------------------------------------------------------------------
# Entry assembly
# ---------------------------------------------------------------------------


def person_name(value: str, kind: NameKind = NameKind.PRIMARY) -> Name:
    """A person's name as OFAC writes it ("LAST, First"), with first/last filled."""
    value = value.strip()
    last, sep, first = value.partition(",")
    if sep and last.strip() and first.strip():
        return Name(value=value, kind=kind, first=first.strip(), last=last.strip())
    return Name(value=value, kind=kind)


def build_entry(
    *,
    source: str,
    source_id: str,
    kind: EntityKind,
    names: list[Name],
    facts: Facts,
    addresses: Iterable[Address] = (),
    programs: Iterable[str] = (),
    legal_basis: Iterable[LegalBasis] = (),
    listed_on: str | None = None,
    remarks: str | None = None,
) -> ListEntry:
    """One normalised entry; repeated facts are dropped, properties sorted by key."""
    strong = {n.value.casefold() for n in names if n.kind is not NameKind.WEAK_ALIAS}
    # A weak alias that repeats a stronger name adds nothing; nor does a name in
    # Remarks (weak alias or former name) that the name rows already give.
    all_names = [
        n for n in names if n.kind is not NameKind.WEAK_ALIAS or n.value.casefold() not in strong
    ]
    all_names += [n for n in facts.names if n.value.casefold() not in strong]
    programs = dedupe(p for p in programs if p)
    properties = dedupe([*facts.properties, ("source_url", DETAILS_URL.format(source_id))])
    return ListEntry(
        source=source,
        source_id=source_id,
        kind=kind,
        names=dedupe(all_names),
        countries=dedupe(facts.countries),
        addresses=dedupe(addresses),
        birth_dates=dedupe(facts.birth_dates),
        birth_places=dedupe(facts.birth_places),
        identifiers=dedupe(facts.identifiers),
        programs=programs,
        listed_on=listed_on,
        legal_basis=dedupe([*(program_basis(p) for p in programs), *legal_basis]),
        remarks=remarks or None,
        gender=facts.gender,
        titles=dedupe(facts.titles),
        linked_to=dedupe(facts.linked_to),
        properties=tuple(sorted(properties, key=lambda kv: kv[0])),
    )


# "London EC3N 1DY", "Zurich CH-8022", "Moscow 117420": a city, then a postal code
# made of tokens that each hold a digit.
_POSTAL_TAIL = re.compile(
    r"^(?P<city>.*?[^\d\s,])[\s,]+"
    r"(?P<postal>(?:[A-Z]{1,3}-)?[A-Z0-9]*\d[A-Z0-9-]*(?:\s[A-Z0-9]*\d[A-Z0-9]*)?)$"
)


def make_address(
    street: str | None,
    city_line: str | None,
    country: str | None,
    *,
    city: str | None = None,
    postal_code: str | None = None,
    region: str | None = None,
    country_iso: str | None = None,
) -> Address | None:
    """An address from OFAC's parts; ``city_line`` is the CSV's "City, State, Postal".

    None when every part is empty.
    """
    if city_line and not city and not postal_code:
        match = _POSTAL_TAIL.match(city_line)
        city, postal_code = (
            (match.group("city"), match.group("postal")) if match else (city_line, None)
        )
    parts = [p for p in (street, city_line or _join(city, region, postal_code), country) if p]
    if not parts:
        return None
    iso = country_iso or country_code(country)
    return Address(
        full=", ".join(parts),
        street=street or None,
        city=city or None,
        postal_code=postal_code or None,
        region=region or None,
        country=iso,
    )


def _join(*parts: str | None) -> str | None:
    joined = ", ".join(p for p in parts if p)
    return joined or None


# ---------------------------------------------------------------------------
# Legacy CSV set
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsvSet:
    """The files of one legacy CSV set; companions are optional."""

    primary: Path
    addresses: Path | None = None
    aliases: Path | None = None
    comments: Path | None = None

    def paths(self) -> list[Path]:
        return [p for p in (self.primary, self.addresses, self.aliases, self.comments) if p]


_EMPTY = "-0-"


def _cell(value: str) -> str | None:
    value = value.strip()
    return None if not value or value == _EMPTY else value


def read_ofac_csv(path: Path, columns: int) -> Iterator[tuple[int, list[str] | None]]:
    """(row number, cells) for each row of a headerless OFAC CSV file.

    Cells is None for a row with the wrong number of columns. The trailing
    Ctrl-Z line is dropped.

    Raises:
        ListFormatError: too large, truncated (ends inside a row), not CSV, or
            fewer than half of its rows have ``columns`` columns.
    """
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise ListFormatError(f"{path.name}: {size} bytes is over the {MAX_CSV_BYTES}-byte limit")
    raw = path.read_bytes()
    content = _decode(raw).lstrip("\ufeff").rstrip("\x1a")
    if not content.strip():
        raise ListFormatError(f"{path.name}: the file is empty")
    if not content.endswith(("\n", "\r")):
        raise ListFormatError(f"{path.name}: the file ends inside a row; it is truncated")
    try:
        rows = list(csv.reader(io.StringIO(content, newline="")))
    except csv.Error as exc:
        raise ListFormatError(f"{path.name}: not a readable CSV file ({exc})") from exc
    rows = [r for r in rows if r and any(c.strip() for c in r)]
    good = sum(1 for r in rows if len(r) == columns and r[0].strip().isdigit())
    if good == 0 or good * 2 < len(rows):
        raise ListFormatError(
            f"{path.name}: not an OFAC legacy CSV file ({good} of {len(rows)} rows have "
            f"the expected {columns} columns)"
        )
    for number, row in enumerate(rows, 1):
        yield number, row if len(row) == columns else None


def _decode(raw: bytes) -> str:
    """UTF-8 when it is; else Windows-1252, the encoding of OFAC's older files."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            # cp1252 leaves five bytes undefined; latin-1 maps every byte.
            return raw.decode("latin-1")


_SDN_TYPES = {
    "individual": EntityKind.PERSON,
    "vessel": EntityKind.VESSEL,
    "aircraft": EntityKind.AIRCRAFT,
    "entity": EntityKind.ORGANIZATION,
    "": EntityKind.ORGANIZATION,
}
# n.k.a. ("now known as") is the current name, so as strong as an a.k.a.
_ALT_KINDS = {"aka": NameKind.ALIAS, "nka": NameKind.ALIAS, "fka": NameKind.FORMER}


def split_programs(value: str | None) -> list[str]:
    """Programme tags from the CSV's Program cell ("SDGT] [IFSR")."""
    if not value:
        return []
    return [p.strip(" []") for p in re.split(r"\]\s*\[", value) if p.strip(" []")]


def parse_legacy_csv(files: CsvSet, source: str, *, as_of: date | None = None) -> ParsedList:
    """Parse a legacy OFAC CSV set into entries ``<source>:<ent_num>``.

    Companion rows whose ent_num is not in the primary file belong to another
    version of the list (the mirror's companions may be newer) and are ignored.
    A comments row is appended to Remarks only when the primary Remarks is cut
    at OFAC's 1,000-character limit; otherwise it too belongs to another version.
    """
    skipped: list[Skip] = []
    rows: dict[str, list[str]] = {}
    primary = files.primary.name
    for number, row in read_ofac_csv(files.primary, 12):
        ref = f"{primary}:row {number}"
        if row is None:
            skipped.append(Skip("row does not have the 12 columns of the OFAC format", ref))
            continue
        ent_num = row[0].strip()
        if not ent_num.isdigit():
            skipped.append(Skip(f"ent_num {ent_num!r} is not a number", ref))
        elif _cell(row[1]) is None:
            skipped.append(Skip("entry has no name", f"{ref} (ent_num {ent_num})"))
        elif (_cell(row[2]) or "").lower() not in _SDN_TYPES:
            skipped.append(
                Skip(f"unknown SDN_Type {row[2].strip()!r}", f"{ref} (ent_num {ent_num})")
            )
        elif ent_num in rows:
            skipped.append(Skip("duplicate ent_num", f"{ref} (ent_num {ent_num})"))
        else:
            rows[ent_num] = row

    orphans = 0
    addresses: dict[str, list[tuple[Address, str | None]]] = {}
    if files.addresses:
        for number, row in read_ofac_csv(files.addresses, 6):
            if row is None:
                skipped.append(
                    Skip(
                        "address row does not have 6 columns",
                        f"{files.addresses.name}:row {number}",
                    )
                )
                continue
            if row[0].strip() not in rows:
                orphans += 1
                continue
            country = _cell(row[4])
            address = make_address(_cell(row[2]), _cell(row[3]), country)
            if address:
                addresses.setdefault(row[0].strip(), []).append((address, country))

    aliases: dict[str, list[tuple[str, str]]] = {}
    if files.aliases:
        for number, row in read_ofac_csv(files.aliases, 5):
            ref = f"{files.aliases.name}:row {number}"
            if row is None:
                skipped.append(Skip("alias row does not have 5 columns", ref))
                continue
            if row[0].strip() not in rows:
                orphans += 1
                continue
            alt_type, alt_name = (_cell(row[2]) or "").lower().replace(".", ""), _cell(row[3])
            if alt_name is None or alt_type not in _ALT_KINDS:
                skipped.append(
                    Skip(f"alias of unknown type {row[2].strip()!r} or without a name", ref)
                )
                continue
            aliases.setdefault(row[0].strip(), []).append((alt_type, alt_name))

    comments: dict[str, str] = {}
    if files.comments:
        for number, row in read_ofac_csv(files.comments, 2):
            if row is None:
                skipped.append(
                    Skip(
                        "comments row does not have 2 columns",
                        f"{files.comments.name}:row {number}",
                    )
                )
                continue
            ent_num = row[0].strip()
            primary_row = rows.get(ent_num)
            # Compare the raw cell: the cut may fall just after a space.
            if primary_row is None or len(primary_row[11]) < REMARKS_CUT:
                orphans += 1
                continue
            comments[ent_num] = comments.get(ent_num, "") + row[1]
    if orphans:
        log.info("%s: ignored %d companion rows of entries not in %s", source, orphans, primary)

    entries: list[ListEntry] = []
    for ent_num, row in rows.items():
        entries.append(
            _csv_entry(
                source,
                ent_num,
                row,
                addresses.get(ent_num, []),
                aliases.get(ent_num, []),
                comments.get(ent_num),
            )
        )
    return ParsedList(
        source=source,
        entries=entries,
        as_of=as_of,
        files={p.name: sha256_file(p) for p in files.paths()},
        skipped=skipped,
    )


def _csv_entry(
    source: str,
    ent_num: str,
    row: list[str],
    addresses: list[tuple[Address, str | None]],
    aliases: list[tuple[str, str]],
    comment: str | None,
) -> ListEntry:
    kind = _SDN_TYPES[(_cell(row[2]) or "").lower()]
    name = _cell(row[1]) or ""
    names = [person_name(name) if kind is EntityKind.PERSON else Name(value=name)]
    for alt_type, alt_name in aliases:
        alt_kind = _ALT_KINDS[alt_type]
        names.append(
            person_name(alt_name, alt_kind)
            if kind is EntityKind.PERSON
            else Name(alt_name, alt_kind)
        )
    remarks = _cell(row[11])
    if remarks and comment:
        # No separator: OFAC cuts mid-word and the comment goes on from there.
        remarks = (row[11] + comment).strip()
    facts = parse_remarks(remarks)
    if title := _cell(row[4]):
        facts.titles.insert(0, title)
    if call_sign := _cell(row[5]):
        facts.identifiers.insert(
            0, Identifier(IdentifierType.CALL_SIGN, call_sign, note="Call_Sign")
        )
    for key, column in (
        ("vessel_type", 6),
        ("tonnage", 7),
        ("gross_registered_tonnage", 8),
        ("vessel_owner", 10),
    ):
        facts.add_property(key, _cell(row[column]))
    if flag := _cell(row[9]):
        facts.add_country(flag, CountryRole.FLAG)
    for address, country in addresses:
        if address.country:
            facts.countries.append(Country(address.country, CountryRole.ADDRESS, country))
    return build_entry(
        source=source,
        source_id=ent_num,
        kind=kind,
        names=names,
        facts=facts,
        addresses=[address for address, _ in addresses],
        programs=split_programs(_cell(row[3])),
        remarks=remarks,
    )


# ---------------------------------------------------------------------------
# XML: loading (plain or zipped) and the two schemas
# ---------------------------------------------------------------------------


def load_ofac_xml(path: Path) -> etree._ElementTree:
    """The XML tree of an OFAC XML file, or of the one XML member of a zip archive.

    Raises:
        ListFormatError: unreadable or truncated zip, not exactly one XML member,
            a member over the size cap, or XML that is not well-formed.
    """
    if path.suffix.lower() != ".zip":
        return parse_xml(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                i
                for i in archive.infolist()
                if not i.is_dir() and i.filename.lower().endswith(".xml")
            ]
            if len(members) != 1:
                raise ListFormatError(
                    f"{path.name}: expected one XML file in the archive, found {len(members)}"
                )
            info = members[0]
            if info.file_size > MAX_ZIP_MEMBER_BYTES:
                raise ListFormatError(
                    f"{path.name}: {info.filename} is {info.file_size} bytes, over the limit"
                )
            with archive.open(info) as member:
                # Read at most one byte past the cap: the header's size may lie.
                data = member.read(MAX_ZIP_MEMBER_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise ListFormatError(f"{path.name}: not a readable zip archive ({exc})") from exc
    if len(data) > MAX_ZIP_MEMBER_BYTES:
        raise ListFormatError(f"{path.name}: {info.filename} is over the size limit")
    if not data:
        raise ListFormatError(f"{path.name}: {info.filename} is empty")
    return parse_xml(io.BytesIO(data))


class _Q:
    """Qualifies 'a/b' paths with one namespace: lxml needs full tags."""

    def __init__(self, root: etree._Element) -> None:
        tag = str(root.tag)
        self.ns = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
        self._cache: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        if path not in self._cache:
            self._cache[path] = (
                "/".join(
                    f"{{{self.ns}}}{p}" if p not in (".", "..") else p for p in path.split("/")
                )
                if self.ns
                else path
            )
        return self._cache[path]


def _text_of(el: etree._Element, q: _Q, path: str) -> str | None:
    return text(el.find(q(path)))


def _flag(el: etree._Element, q: _Q, path: str) -> bool:
    return (_text_of(el, q, path) or "").lower() == "true"


_XML_KINDS = {
    "individual": EntityKind.PERSON,
    "entity": EntityKind.ORGANIZATION,
    "vessel": EntityKind.VESSEL,
    "aircraft": EntityKind.AIRCRAFT,
}


def parse_enhanced_xml(
    tree: etree._ElementTree, source: str, *, files: dict[str, str], fallback_as_of: date | None
) -> ParsedList:
    """Parse OFAC's Enhanced XML (root ``sanctionsData``).

    Raises:
        ListFormatError: the root is not ``sanctionsData`` or there is no
            ``entities`` element.
    """
    root = tree.getroot()
    if local(root.tag) != "sanctionsData":
        raise ListFormatError(f"not OFAC Enhanced XML: root element is <{local(root.tag)}>")
    q = _Q(root)
    entities = root.find(q("entities"))
    if entities is None:
        raise ListFormatError("OFAC Enhanced XML without <entities>: truncated or not a list")
    as_of = _iso_date(_text_of(root, q, "publicationInfo/dataAsOf")) or fallback_as_of

    # Reference values give ISO codes for country refIds.
    iso_by_ref: dict[str, str] = {}
    for value_el in root.iterfind(q("referenceValues/referenceValue")):
        iso = _text_of(value_el, q, "isoCode")
        if _text_of(value_el, q, "type") == "COUNTRY" and iso and len(iso) == 2:
            iso_by_ref[value_el.get("refId", "")] = iso.upper()

    entries: list[ListEntry] = []
    skipped: list[Skip] = []
    for entity in entities.iterfind(q("entity")):
        ent_id = (entity.get("id") or "").strip()
        ref = f"entity id={ent_id or '?'}"
        if not ent_id.isdigit():
            skipped.append(Skip("entity has no numeric id", ref))
            continue
        kind = _XML_KINDS.get((_text_of(entity, q, "generalInfo/entityType") or "").lower())
        if kind is None:
            skipped.append(Skip("unknown entityType", ref))
            continue
        names = _enhanced_names(entity, q, kind)
        if not any(n.kind is NameKind.PRIMARY for n in names):
            skipped.append(Skip("entity has no primary name", ref))
            continue
        entries.append(_enhanced_entry(entity, q, source, ent_id, kind, names, iso_by_ref))
    return ParsedList(source=source, entries=entries, as_of=as_of, files=files, skipped=skipped)


def _enhanced_names(entity: etree._Element, q: _Q, kind: EntityKind) -> list[Name]:
    names: list[Name] = []
    for name_el in entity.iterfind(q("names/name")):
        is_primary = _flag(name_el, q, "isPrimary")
        alias_type = (_text_of(name_el, q, "aliasType") or "").upper()
        if is_primary:
            base = NameKind.PRIMARY
        elif _flag(name_el, q, "isLowQuality"):
            base = NameKind.WEAK_ALIAS
        elif alias_type == "F.K.A.":
            base = NameKind.FORMER
        else:
            base = NameKind.ALIAS
        for tr in name_el.iterfind(q("translations/translation")):
            full = _text_of(tr, q, "formattedFullName")
            if not full:
                continue
            script = (_text_of(tr, q, "script") or "Latin").lower()
            name_kind = base if script == "latin" else NameKind.ORIGINAL_SCRIPT
            # A primary name's other Latin translations are still variants of it.
            if name_kind is NameKind.PRIMARY and not _flag(tr, q, "isPrimary"):
                name_kind = NameKind.ALIAS
            first = _text_of(tr, q, "formattedFirstName")
            last = _text_of(tr, q, "formattedLastName")
            if kind is EntityKind.PERSON and (first or last):
                names.append(Name(value=full, kind=name_kind, first=first, last=last))
            else:
                names.append(Name(value=full, kind=name_kind))
    # PRIMARY first, whatever the file's order.
    names.sort(key=lambda n: n.kind is not NameKind.PRIMARY)
    return names


_ADDRESS_PARTS = {
    "ADDRESS1": "street",
    "ADDRESS2": "street",
    "ADDRESS3": "street",
    "CITY": "city",
    "POSTAL CODE": "postal",
    "STATE/PROVINCE": "region",
    "REGION": "region",
}


def _enhanced_entry(
    entity: etree._Element,
    q: _Q,
    source: str,
    ent_id: str,
    kind: EntityKind,
    names: list[Name],
    iso_by_ref: dict[str, str],
) -> ListEntry:
    facts = Facts()
    remarks = _text_of(entity, q, "generalInfo/remarks")
    parse_remarks(remarks, facts)

    listed: list[str] = []
    for lst in entity.iterfind(q("sanctionsLists/sanctionsList")):
        facts.add_property("sanctions_list", text(lst))
        if published := _iso_date(lst.get("datePublished")):
            listed.append(published.isoformat())
    for st in entity.iterfind(q("sanctionsTypes/sanctionsType")):
        facts.add_property("sanctions_type", text(st))
    programs = [
        p
        for p in (text(el) for el in entity.iterfind(q("sanctionsPrograms/sanctionsProgram")))
        if p
    ]
    authorities = [
        LegalBasis(title=t, kind="legal_authority")
        for t in (text(el) for el in entity.iterfind(q("legalAuthorities/legalAuthority")))
        if t
    ]

    addresses: list[Address] = []
    for addr in entity.iterfind(q("addresses/address")):
        country_el = addr.find(q("country"))
        country = text(country_el)
        iso = iso_by_ref.get(country_el.get("refId", "")) if country_el is not None else None
        parts: dict[str, list[str]] = {}
        for tr in addr.iterfind(q("translations/translation")):
            if (_text_of(tr, q, "script") or "Latin").lower() != "latin":
                continue
            for part in tr.iterfind(q("addressParts/addressPart")):
                key = _ADDRESS_PARTS.get((_text_of(part, q, "type") or "").upper())
                value = _text_of(part, q, "value")
                if key and value:
                    parts.setdefault(key, []).append(value)
            break
        address = make_address(
            _join(*parts.get("street", [])),
            None,
            country,
            city=_join(*parts.get("city", [])),
            postal_code=_join(*parts.get("postal", [])),
            region=_join(*parts.get("region", [])),
            country_iso=iso,
        )
        if address:
            addresses.append(address)
            if address.country:
                facts.countries.append(Country(address.country, CountryRole.ADDRESS, country))

    for feature in entity.iterfind(q("features/feature")):
        label = _text_of(feature, q, "type") or ""
        value = _text_of(feature, q, "value") or ""
        if not value:
            value = _value_date_text(feature, q)
        iso = iso_by_ref.get(_text_of(feature, q, "valueRefId") or "")
        if value and not apply_fact(facts, label, value, country_iso=iso):
            # Unknown feature types are kept, labelled, rather than lost.
            facts.add_property("feature", f"{label.strip().rstrip(':- ')}: {value}")

    for doc in entity.iterfind(q("identityDocuments/identityDocument")):
        label = _text_of(doc, q, "type") or "Identity document"
        number = _text_of(doc, q, "documentNumber")
        if not number:
            continue
        country_el = doc.find(q("issuingCountry"))
        iso = iso_by_ref.get(country_el.get("refId", "")) if country_el is not None else None
        note = _join(_text_of(doc, q, "issuingAuthority"), _text_of(doc, q, "issuingLocation"))
        if not _flag(doc, q, "isValid") and doc.find(q("isValid")) is not None:
            note = _join(note, "not valid")
        facts.add_identifier(label, number, text(country_el), note, iso)

    for rel in entity.iterfind(q("relationships/relationship")):
        related = rel.find(q("relatedEntity"))
        related_name = text(related)
        if related_name:
            facts.linked_to.append(related_name)
            rel_type = _text_of(rel, q, "type") or "Linked to"
            related_id = related.get("entityId") if related is not None else None
            facts.add_property(
                "relationship",
                # The related entry may sit on the other OFAC list: cite its ent_num only.
                f"{rel_type}: {related_name}" + (f" (ent_num {related_id})" if related_id else ""),
            )

    return build_entry(
        source=source,
        source_id=ent_id,
        kind=kind,
        names=names,
        facts=facts,
        addresses=addresses,
        programs=programs,
        legal_basis=authorities,
        listed_on=min(listed) if listed else None,
        remarks=remarks,
    )


def _value_date_text(feature: etree._Element, q: _Q) -> str:
    """An ISO date (or "from to to") from a feature's valueDate, when it has no text."""
    begin = _iso_date(_text_of(feature, q, "valueDate/fromDateBegin"))
    end = _iso_date(_text_of(feature, q, "valueDate/toDateEnd"))
    if begin is None:
        return ""
    if end is None or end == begin:
        return begin.isoformat()
    return f"{begin.isoformat()} to {end.isoformat()}"


def _iso_date(value: str | None) -> date | None:
    """A date from "2025-01-10T00:00:00", "2025-01-10" or OFAC's "01/10/2025"."""
    if not value:
        return None
    value = value.strip()
    try:
        if m := re.match(r"^(\d{4})-(\d{2})-(\d{2})", value):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", value):
            return date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    except ValueError:
        return None
    return None


def parse_sdn_xml(
    tree: etree._ElementTree, source: str, *, files: dict[str, str], fallback_as_of: date | None
) -> ParsedList:
    """Parse OFAC's legacy SDN.XML / CONSOLIDATED.XML (root ``sdnList``).

    Raises:
        ListFormatError: the root is not ``sdnList``.
    """
    root = tree.getroot()
    if local(root.tag) != "sdnList":
        raise ListFormatError(f"not OFAC SDN.XML: root element is <{local(root.tag)}>")
    q = _Q(root)
    as_of = _iso_date(_text_of(root, q, "publshInformation/Publish_Date")) or fallback_as_of
    entries: list[ListEntry] = []
    skipped: list[Skip] = []
    for number, el in enumerate(root.iterfind(q("sdnEntry")), 1):
        uid = _text_of(el, q, "uid") or ""
        ref = f"sdnEntry {number} (uid {uid or '?'})"
        if not uid.isdigit():
            skipped.append(Skip("sdnEntry has no numeric uid", ref))
            continue
        # The consolidated file writes nspType, or no type at all for entities.
        type_text = (_text_of(el, q, "sdnType") or _text_of(el, q, "nspType") or "entity").lower()
        kind = _XML_KINDS.get(type_text)
        if kind is None:
            skipped.append(Skip(f"unknown sdnType {type_text!r}", ref))
            continue
        last = _text_of(el, q, "lastName")
        if not last:
            skipped.append(Skip("sdnEntry has no lastName", ref))
            continue
        entries.append(_sdn_xml_entry(el, q, source, uid, kind))
    return ParsedList(source=source, entries=entries, as_of=as_of, files=files, skipped=skipped)


def _xml_name(first: str | None, last: str, kind: NameKind, entity_kind: EntityKind) -> Name:
    if first and entity_kind is EntityKind.PERSON:
        return Name(value=f"{last}, {first}", kind=kind, first=first, last=last)
    return Name(value=_join(last, first) or last, kind=kind)


def _sdn_xml_entry(el: etree._Element, q: _Q, source: str, uid: str, kind: EntityKind) -> ListEntry:
    facts = Facts()
    remarks = _text_of(el, q, "remarks")
    parse_remarks(remarks, facts)
    names = [
        _xml_name(
            _text_of(el, q, "firstName"), _text_of(el, q, "lastName") or "", NameKind.PRIMARY, kind
        )
    ]
    for aka in el.iterfind(q("akaList/aka")):
        last = _text_of(aka, q, "lastName")
        if not last:
            continue
        if (_text_of(aka, q, "category") or "").lower() == "weak":
            name_kind = NameKind.WEAK_ALIAS
        elif (_text_of(aka, q, "type") or "").lower() == "f.k.a.":
            name_kind = NameKind.FORMER
        else:
            name_kind = NameKind.ALIAS
        names.append(_xml_name(_text_of(aka, q, "firstName"), last, name_kind, kind))
    if title := _text_of(el, q, "title"):
        facts.titles.insert(0, title)
    programs = [p for p in (text(p) for p in el.iterfind(q("programList/program"))) if p]

    addresses: list[Address] = []
    for addr in el.iterfind(q("addressList/address")):
        country = _text_of(addr, q, "country")
        address = make_address(
            _join(*(_text_of(addr, q, f"address{i}") for i in (1, 2, 3))),
            None,
            country,
            city=_text_of(addr, q, "city"),
            postal_code=_text_of(addr, q, "postalCode"),
            region=_text_of(addr, q, "stateOrProvince"),
        )
        if address:
            addresses.append(address)
            if address.country:
                facts.countries.append(Country(address.country, CountryRole.ADDRESS, country))

    for id_el in el.iterfind(q("idList/id")):
        label, number = _text_of(id_el, q, "idType") or "", _text_of(id_el, q, "idNumber")
        if not number:
            continue
        dates = [
            f"{word} {value}"
            for word, path in (("issued", "issueDate"), ("expires", "expirationDate"))
            if (value := _text_of(id_el, q, path))
        ]
        country = _text_of(id_el, q, "idCountry")
        # The same idList carries websites, BICs and directive notes as "ids".
        if _norm_label(label) in _ID_TYPE_BY_NORM or not apply_fact(facts, label, number):
            facts.add_identifier(label or "Identifier", number, country, " ".join(dates) or None)
    for path, label in (
        ("dateOfBirthList/dateOfBirthItem/dateOfBirth", "DOB"),
        ("placeOfBirthList/placeOfBirthItem/placeOfBirth", "POB"),
        ("nationalityList/nationality/country", "nationality"),
        ("citizenshipList/citizenship/country", "citizen"),
    ):
        for value_el in el.iterfind(q(path)):
            if value := text(value_el):
                apply_fact(facts, label, value)
    vessel = el.find(q("vesselInfo"))
    if vessel is not None:
        if call_sign := _text_of(vessel, q, "callSign"):
            facts.identifiers.insert(
                0, Identifier(IdentifierType.CALL_SIGN, call_sign, note="callSign")
            )
        if flag := _text_of(vessel, q, "vesselFlag"):
            facts.add_country(flag, CountryRole.FLAG)
        for key, path in (
            ("vessel_type", "vesselType"),
            ("vessel_owner", "vesselOwner"),
            ("tonnage", "tonnage"),
            ("gross_registered_tonnage", "grossRegisteredTonnage"),
        ):
            facts.add_property(key, _text_of(vessel, q, path))
    return build_entry(
        source=source,
        source_id=uid,
        kind=kind,
        names=names,
        facts=facts,
        addresses=addresses,
        programs=programs,
        remarks=remarks,
    )


# ---------------------------------------------------------------------------
# Choosing the format
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OfacFileNames:
    """The official file names of one OFAC list in each format."""

    csv_primary: str
    csv_addresses: str
    csv_aliases: str
    csv_comments: str
    enhanced: tuple[str, ...]
    legacy_xml: tuple[str, ...]


SDN_FILES = OfacFileNames(
    csv_primary="sdn.csv",
    csv_addresses="add.csv",
    csv_aliases="alt.csv",
    csv_comments="sdn_comments.csv",
    enhanced=("SDN_ENHANCED.XML", "SDN_ENHANCED.ZIP"),
    legacy_xml=("SDN.XML",),
)
CONS_FILES = OfacFileNames(
    csv_primary="cons_prim.csv",
    csv_addresses="cons_add.csv",
    csv_aliases="cons_alt.csv",
    csv_comments="cons_comments.csv",
    enhanced=("CONS_ENHANCED.XML", "CONS_ENHANCED.ZIP"),
    legacy_xml=("CONSOLIDATED.XML", "CONS_PRIM.XML"),
)


def parse_ofac_path(path: Path, source: str, names: OfacFileNames) -> ParsedList:
    """Parse an OFAC list from a mirror folder or from one file.

    In a folder the richest format present wins: Enhanced XML, then the legacy
    CSV set (with whichever companions are there), then legacy XML. A single
    file is read by its kind: ``.csv`` as the primary CSV file alone, ``.xml``
    or ``.zip`` by the XML root element. as_of comes from the file when it says,
    else from the folder's date.

    Raises:
        ListFormatError: no OFAC file found, or the file is not in its format.
    """
    folder_date = date_from_folder(path)
    if path.is_dir():
        if enhanced := find_file(path, names.enhanced):
            return _parse_xml_file(enhanced, source, folder_date)
        if primary := find_file(path, [names.csv_primary]):
            files = CsvSet(
                primary=primary,
                addresses=find_file(path, [names.csv_addresses]),
                aliases=find_file(path, [names.csv_aliases]),
                comments=find_file(path, [names.csv_comments]),
            )
            return parse_legacy_csv(files, source, as_of=folder_date)
        if legacy := find_file(path, names.legacy_xml):
            return _parse_xml_file(legacy, source, folder_date)
        wanted = [*names.enhanced, names.csv_primary, *names.legacy_xml]
        raise ListFormatError(f"{path}: no OFAC list file found (looked for {', '.join(wanted)})")
    if not path.is_file():
        raise ListFormatError(f"{path}: no such file or folder")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return parse_legacy_csv(CsvSet(primary=path), source, as_of=folder_date)
    if suffix in (".xml", ".zip"):
        return _parse_xml_file(path, source, folder_date)
    raise ListFormatError(f"{path.name}: not an OFAC list file (expected .csv, .xml or .zip)")


_XML_PARSERS: dict[str, Callable[..., ParsedList]] = {
    "sanctionsData": parse_enhanced_xml,
    "sdnList": parse_sdn_xml,
}


def _parse_xml_file(path: Path, source: str, folder_date: date | None) -> ParsedList:
    tree = load_ofac_xml(path)
    root_name = local(tree.getroot().tag)
    parser = _XML_PARSERS.get(root_name)
    if parser is None:
        raise ListFormatError(f"{path.name}: not an OFAC list (root element <{root_name}>)")
    try:
        return parser(
            tree, source, files={path.name: sha256_file(path)}, fallback_as_of=folder_date
        )
    except ListFormatError as exc:
        raise ListFormatError(f"{path.name}: {exc}") from exc
