"""HM Treasury OFSI Consolidated List of financial sanctions targets ("ConList").

Published as ``ConList.xlsx`` and ``ConList.csv`` with the same columns: a
"Last Updated dd/mm/yyyy" line, a header line, then one row per *name
variation*. The rows of one designation share a ``Group ID``, which is the
stable id (``uk_ofsi:<Group ID>``). ``Name 6`` is the surname (or the whole
name of an entity or ship), ``Name 1``..``Name 5`` the given names.

Facts without a column of their own are written into "Other Information" as
``(Label):value`` pairs; :data:`_FACT_LABELS` lists the labels read into
identifiers and properties.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from lists.base import ParsedList, Skip, date_from_folder, input_file, sha256_file
from lists.formats.dates import parse_date, to_date
from lists.formats.values import (
    clean,
    clean_name,
    country,
    country_code,
    language_code,
    registration_identifiers,
    split_numbered,
    unique,
)
from lists.formats.xlsx import read_rows
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

SOURCE = "uk_ofsi"
FILE_NAMES = ("ConList.xlsx", "ConList.csv")
REGIME_URL = "https://www.gov.uk/government/collections/financial-sanctions-regime-specific-consolidated-lists-and-releases"
_REQUIRED = ("Name 6", "Group Type", "Group ID")
_HEADER_SEARCH_ROWS = 10

# "Regime" column -> the regulations that make up the UK regime.
REGIME_TITLES: dict[str, str] = {
    "Afghanistan": "The Afghanistan (Sanctions) (EU Exit) Regulations 2020",
    "Belarus": "The Republic of Belarus (Sanctions) (EU Exit) Regulations 2019",
    "Bosnia and Herzegovina": "The Bosnia and Herzegovina (Sanctions) (EU Exit) Regulations 2020",
    "Central African Republic": "The Central African Republic (Sanctions) (EU Exit) Regulations 2020",
    "Chemical Weapons": "The Chemical Weapons (Sanctions) (EU Exit) Regulations 2019",
    "Counter-Terrorism (Domestic)": "The Counter-Terrorism (Sanctions) (EU Exit) Regulations 2019",
    "Counter-Terrorism (International)": "The Counter-Terrorism (International Sanctions) (EU Exit) Regulations 2019",
    "Cyber": "The Cyber (Sanctions) (EU Exit) Regulations 2020",
    "Democratic People's Republic of Korea": "The Democratic People's Republic of Korea (Sanctions) (EU Exit) Regulations 2019",
    "Democratic Republic of the Congo": "The Democratic Republic of the Congo (Sanctions) (EU Exit) Regulations 2019",
    "Global Anti-Corruption": "The Global Anti-Corruption Sanctions Regulations 2021",
    "Global Human Rights": "The Global Human Rights Sanctions Regulations 2020",
    "Guinea": "The Republic of Guinea (Sanctions) (EU Exit) Regulations 2019",
    "Guinea-Bissau": "The Republic of Guinea-Bissau (Sanctions) (EU Exit) Regulations 2019",
    "Haiti": "The Haiti (Sanctions) Regulations 2022",
    "ISIL (Da'esh) and Al-Qaida": "The ISIL (Da'esh) and Al-Qaida (United Nations Sanctions) (EU Exit) Regulations 2019",
    "Iran": "The Iran (Sanctions) Regulations 2023",
    "Iran (Nuclear)": "The Iran (Sanctions) (Nuclear) (EU Exit) Regulations 2019",
    "Iraq": "The Iraq (Sanctions) (EU Exit) Regulations 2020",
    "Lebanon": "The Lebanon (Sanctions) (EU Exit) Regulations 2020",
    "Libya": "The Libya (Sanctions) (EU Exit) Regulations 2020",
    "Mali": "The Mali (Sanctions) (EU Exit) Regulations 2020",
    "Myanmar": "The Myanmar (Sanctions) Regulations 2021",
    "Nicaragua": "The Nicaragua (Sanctions) (EU Exit) Regulations 2020",
    "Russia": "The Russia (Sanctions) (EU Exit) Regulations 2019",
    "Somalia": "The Somalia (Sanctions) (EU Exit) Regulations 2020",
    "South Sudan": "The South Sudan (Sanctions) (EU Exit) Regulations 2019",
    "Sudan": "The Sudan (Sanctions) (EU Exit) Regulations 2020",
    "Syria": "The Syria (Sanctions) (EU Exit) Regulations 2019",
    "Venezuela": "The Venezuela (Sanctions) (EU Exit) Regulations 2019",
    "Yemen": "The Yemen (Sanctions) (EU Exit) Regulations 2020",
    "Zimbabwe": "The Zimbabwe (Sanctions) (EU Exit) Regulations 2019",
}

_KINDS = {
    "individual": EntityKind.PERSON,
    "entity": EntityKind.ORGANIZATION,
    "ship": EntityKind.VESSEL,
}

# Other Information labels we read; any other "(...):" in the text is prose.
_FACT_LABELS = (
    "UK Sanctions List Ref",
    "UK Statement of Reasons",
    "UN Ref",
    "Gender",
    "Phone number",
    "Tel",
    "Fax",
    "Email address",
    "Website",
    "Type of entity",
    "Parent company",
    "Subsidiaries",
    "Business Reg No",
    "IMO number",
    "Flag of ship",
    "Previous flags",
    "Type of ship",
    "Tonnage of ship",
    "Length of ship",
    "Year built",
    "Current owners",
)
_FACT_SPLIT = re.compile(r"\((" + "|".join(map(re.escape, _FACT_LABELS)) + r")\)\s*:", re.I)
_LABEL_KEYS = {label.lower(): label for label in _FACT_LABELS}
# Facts kept as properties, under these keys, one value per numbered item.
_PROPERTY_KEYS = {
    "Phone number": "phone",
    "Tel": "phone",
    "Fax": "fax",
    "Email address": "email",
    "Website": "website",
    "Type of entity": "legal_form",
    "Parent company": "parent_company",
    "Previous flags": "previous_flag",
    "Type of ship": "vessel_type",
    "Tonnage of ship": "tonnage",
    "Length of ship": "length",
    "Year built": "year_built",
    "Current owners": "owner",
}
_LIST_REF = re.compile(r"^\s*([A-Z]{2,4}\d{3,5})\b\.?\s*(.*)$", re.S)
_UN_REF = re.compile(r"([A-Z]{2})([A-Za-z])\.\s?(\d+)")
_UN_REFS = re.compile(
    r"^\s*(?P<refs>(?:\(\d+\)\s*)?[A-Z]{2}[A-Za-z]\.\s?\d+(?:\s*(?:[,;/]|\(\d+\))\s*[A-Z]{2}[A-Za-z]\.\s?\d+)*)\.?\s*(?P<rest>.*)$",
    re.S,
)
# Four entries carry their non-Latin name in prose rather than in its column.
_NON_LATIN_PROSE = re.compile(
    r"Name \(non-Latin script\):\s*(?P<name>.+?)\.\s*Non Latin Script Type:[^.]*\."
    r"(?:\s*Non Latin Script Language:\s*(?P<lang>[^.]+)\.)?",
    re.I | re.S,
)


class _Reject(Exception):
    """A designation the parser cannot use; becomes a :class:`Skip`."""


@dataclass
class _Facts:
    """What one designation's rows say, gathered before the entry is built."""

    names: list[Name] = field(default_factory=list)
    countries: list[Country] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    properties: list[tuple[str, str]] = field(default_factory=list)
    gender: str | None = None
    business_reg: list[str] = field(default_factory=list)


def parse(path: Path) -> ParsedList:
    """Parse ConList (xlsx, or csv when that is the file there) in folder (or file) ``path``.

    Raises:
        ListFormatError: the file is missing, unreadable, or has no ConList header.
    """
    file = input_file(path, FILE_NAMES)
    with file.open("rb") as fh:
        is_zip = fh.read(2) == b"PK"  # an xlsx workbook is a zip archive
    rows = _Counted(read_rows(file) if is_zip else _csv_rows(file))
    header, as_of = _read_header(rows, file.name)
    result = ParsedList(
        source=SOURCE,
        entries=[],
        as_of=as_of or date_from_folder(file),
        files={file.name: sha256_file(file)},
    )
    groups: dict[str, list[dict[str, str]]] = {}
    for cells in rows:
        row = {
            column: text
            for column, value in zip(header, cells, strict=False)
            if value is not None and column and (text := _cell(value))
        }
        if not row:
            continue  # blank lines at the end of a sheet
        group_id = row.get("Group ID")
        if group_id is None:
            result.skipped.append(Skip("row without Group ID", f"row {rows.seen}"))
            continue
        groups.setdefault(group_id, []).append(row)
    for group_id, group_rows in groups.items():
        try:
            result.entries.append(_entry(group_id, group_rows))
        except _Reject as exc:
            result.skipped.append(Skip(str(exc), f"Group ID {group_id}"))
    return result


class _Counted(Iterator[tuple[object, ...]]):
    """Rows, counting how many have been read (the row number a spreadsheet shows)."""

    def __init__(self, rows: Iterable[tuple[object, ...]]) -> None:
        self._rows = iter(rows)
        self.seen = 0

    def __next__(self) -> tuple[object, ...]:
        row = next(self._rows)
        self.seen += 1
        return row


def _read_header(rows: Iterator[tuple[object, ...]], name: str) -> tuple[list[str], date | None]:
    """The column names and the "Last Updated" date, read from the rows up to the header."""
    as_of: date | None = None
    for _ in range(_HEADER_SEARCH_ROWS):
        cells = next(rows, None)
        if cells is None:
            break
        texts = [_cell(c) or "" for c in cells]
        if all(required in texts for required in _REQUIRED):
            return texts, as_of
        if any(t.lower().startswith("last updated") for t in texts):
            as_of = to_date(" ".join(texts))
    raise ListFormatError(
        f"{name}: no ConList header ({', '.join(_REQUIRED)}) in the first {_HEADER_SEARCH_ROWS} rows"
    )


def _csv_rows(file: Path) -> Iterator[tuple[object, ...]]:
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Not UTF-8: read it as Windows-1252, what Excel writes CSV in on Windows.
        text = raw.decode("cp1252", errors="replace")
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            yield tuple(row)
    except csv.Error as exc:
        raise ListFormatError(f"{file.name}: not readable as CSV ({exc})") from exc


def _cell(value: object) -> str | None:
    """A cell as cleaned text; dates and whole numbers as a list writes them."""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(value)


def _entry(group_id: str, rows: list[dict[str, str]]) -> ListEntry:
    group_type = rows[0].get("Group Type", "")
    kind = _KINDS.get(group_type.lower())
    if kind is None:
        raise _Reject(f"unknown Group Type {group_type!r}")
    facts = _Facts()
    for row in rows:
        name = _row_name(row, kind)
        if name is not None:
            facts.names.append(name)
        if original := clean_name(row.get("Name Non-Latin Script")):
            lang = language_code(row.get("Non-Latin Script Language"))
            facts.names.append(Name(original, NameKind.ORIGINAL_SCRIPT, lang=lang))
    if not facts.names:
        raise _Reject("no name in any row")
    # The rows repeat the designation's facts; read each distinct value once.
    for row in _distinct(rows):
        _row_facts(row, facts)
    russian = any(c.code == "RU" for c in facts.countries) or rows[0].get("Regime") == "Russia"
    for text in unique(facts.business_reg):
        facts.identifiers.extend(registration_identifiers(text, russian=russian))
    regime = rows[0].get("Regime")
    designated = parse_date(rows[0].get("UK Sanctions List Date Designated"))
    legal_basis: tuple[LegalBasis, ...] = ()
    if regime:
        title = REGIME_TITLES.get(regime, regime)
        legal_basis = (LegalBasis(title=title, url=REGIME_URL, date=designated, kind="regime"),)
    for key, column in (
        ("designated_on", "UK Sanctions List Date Designated"),
        ("last_updated", "Last Updated"),
    ):
        if value := parse_date(rows[0].get(column)):
            facts.properties.append((key, value))
    return ListEntry(
        source=SOURCE,
        source_id=group_id,
        kind=kind,
        names=_ordered(facts.names),
        countries=dedupe(facts.countries),
        addresses=dedupe(facts.addresses),
        birth_dates=unique(facts.birth_dates),
        birth_places=unique(facts.birth_places),
        identifiers=dedupe(facts.identifiers),
        programs=unique([regime]),
        listed_on=parse_date(rows[0].get("Listed On")),
        legal_basis=legal_basis,
        remarks=" ".join(unique(facts.remarks)) or None,
        gender=facts.gender,
        titles=unique(facts.titles),
        properties=tuple(sorted(dict.fromkeys(facts.properties))),
    )


def _distinct(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows with their name columns left out, each distinct one once."""
    seen: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
    for row in rows:
        facts = {
            k: v
            for k, v in row.items()
            if not k.startswith(("Name", "Non-Latin")) and k not in ("Alias Type", "Alias Quality")
        }
        seen.setdefault(tuple(sorted(facts.items())), facts)
    return list(seen.values())


def _row_name(row: dict[str, str], kind: EntityKind) -> Name | None:
    given = [p for p in (clean_name(row.get(f"Name {i}")) for i in range(1, 6)) if p]
    surname = clean_name(row.get("Name 6"))
    parts = [*given, *([surname] if surname else [])]
    if not parts:
        return None
    alias_type = (row.get("Alias Type") or "").lower()
    quality = (row.get("Alias Quality") or "").lower()
    if alias_type == "primary name":
        name_kind = NameKind.PRIMARY
    elif alias_type == "fka":
        name_kind = NameKind.FORMER
    elif quality.startswith("low"):
        name_kind = NameKind.WEAK_ALIAS
    else:
        # "AKA", "Primary name variation" (a spelling of the primary name), "Prime Alias".
        name_kind = NameKind.ALIAS
    person = kind is EntityKind.PERSON
    return Name(
        " ".join(parts),
        name_kind,
        first=given[0] if person and given and surname else None,
        last=surname if person and given else None,
    )


def _ordered(names: list[Name]) -> tuple[Name, ...]:
    """Primary names first, then the rest in list order; each name once."""
    unique_names = dedupe(names)
    return tuple(sorted(unique_names, key=lambda n: n.kind is not NameKind.PRIMARY))


def _row_facts(row: dict[str, str], facts: _Facts) -> None:
    """Add one row's non-name facts to ``facts``."""
    facts.titles.extend(split_numbered(row.get("Title")))
    facts.titles.extend(split_numbered(row.get("Position")))
    facts.birth_dates.extend(d for v in split_numbered(row.get("DOB")) if (d := parse_date(v)))
    towns = split_numbered(row.get("Town of Birth"))
    birth_countries = split_numbered(row.get("Country of Birth"))
    for index, town in enumerate(towns):
        # "(1) Iraq (2) Iraq" beside "(1) Baghdad (2) Mosul": pair them when the counts agree.
        paired = birth_countries[index] if len(birth_countries) == len(towns) else None
        single = birth_countries[0] if len(set(birth_countries)) == 1 else None
        facts.birth_places.append(", ".join(p for p in (town, paired or single) if p))
    if not towns:
        facts.birth_places.extend(birth_countries)
    facts.countries.extend(c for v in birth_countries if (c := country(v, CountryRole.BIRTH)))
    for value in split_numbered(row.get("Nationality")):
        if c := country(value, CountryRole.NATIONALITY):
            facts.countries.append(c)
    facts.identifiers.extend(
        _numbered_ids(
            IdentifierType.PASSPORT, row.get("Passport Number"), row.get("Passport Details")
        )
    )
    facts.identifiers.extend(
        _numbered_ids(
            IdentifierType.NATIONAL_ID,
            row.get("National Identification Number"),
            row.get("National Identification Details"),
        )
    )
    address = _address(row)
    if address is not None:
        facts.addresses.append(address)
    if c := country(row.get("Country"), CountryRole.ADDRESS):
        facts.countries.append(c)
    _other_information(row.get("Other Information"), facts)


def _numbered_ids(
    kind: IdentifierType, numbers: str | None, details: str | None
) -> list[Identifier]:
    values = split_numbered(numbers)
    notes = split_numbered(details)
    out = []
    for index, value in enumerate(values):
        note = (
            notes[index] if len(notes) == len(values) else (details if len(values) == 1 else None)
        )
        out.append(Identifier(kind, value, note=clean(note)))
    return out


def _address(row: dict[str, str]) -> Address | None:
    lines = [row[f"Address {i}"] for i in range(1, 7) if row.get(f"Address {i}")]
    postal = row.get("Post/Zip Code")
    if not lines and not postal:
        return None
    country_text = row.get("Country")
    return Address(
        full=", ".join(
            [*lines, *([postal] if postal else []), *([country_text] if country_text else [])]
        ),
        street=", ".join(lines[:2]) or None,
        # Address 6 is the town in ConList, when the row fills it.
        city=row.get("Address 6"),
        postal_code=postal,
        country=country_code(country_text),
    )


def _other_information(text: str | None, facts: _Facts) -> None:
    """Read the "(Label):value" facts of the Other Information column into ``facts``."""
    if not text:
        return
    parts = _FACT_SPLIT.split(text)
    _prose(parts[0], facts)
    for raw_label, raw_value in zip(parts[1::2], parts[2::2], strict=True):
        label = _LABEL_KEYS[raw_label.lower()]
        value = clean(raw_value)
        if value is None:
            continue
        if label == "UK Sanctions List Ref":
            found = _LIST_REF.match(value)
            if found:
                facts.properties.append(("uk_sanctions_list_ref", found.group(1)))
                _prose(found.group(2), facts)
            else:
                _prose(value, facts)
        elif label == "UK Statement of Reasons":
            _prose(value, facts)
        elif label == "UN Ref":
            # "QDi.343. A member of Al-Qaida ...": the reference, then the UN's narrative.
            found = _UN_REFS.match(value)
            if found:
                # "QDE.145" and "CDi. 038" are QDe.145 and CDi.038 as the UN writes them.
                refs = [f"{a}{b.lower()}.{n}" for a, b, n in _UN_REF.findall(found.group("refs"))]
                facts.identifiers.extend(Identifier(IdentifierType.UN_REF, ref) for ref in refs)
                _prose(found.group("rest"), facts)
            else:
                _prose(value, facts)
        elif label == "Gender":
            gender = value.lower().rstrip(".")
            facts.gender = gender if gender in ("male", "female") else facts.gender
        elif label == "Business Reg No":
            facts.business_reg.append(value)
        elif label == "IMO number":
            facts.identifiers.extend(
                Identifier(IdentifierType.IMO, digits)
                for item in split_numbered(value)
                if (digits := re.sub(r"\D", "", item))
            )
        elif label == "Flag of ship":
            if c := country(value, CountryRole.FLAG):
                facts.countries.append(c)
        elif label == "Subsidiaries":
            names = (clean(n) for n in value.split(";"))
            facts.properties.extend(("subsidiary", n) for n in names if n)
        else:
            key = _PROPERTY_KEYS[label]
            facts.properties.extend((key, item) for item in split_numbered(value))


def _prose(text: str | None, facts: _Facts) -> None:
    """Free text: kept as remarks, with any non-Latin name written into it taken out."""
    value = clean(text)
    if value is None:
        return
    for found in _NON_LATIN_PROSE.finditer(value):
        if name := clean_name(found.group("name")):
            facts.names.append(
                Name(name, NameKind.ORIGINAL_SCRIPT, lang=language_code(found.group("lang")))
            )
    value = clean(_NON_LATIN_PROSE.sub("", value))
    if value:
        facts.remarks.append(value)
