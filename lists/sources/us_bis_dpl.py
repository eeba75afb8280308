"""US BIS Denied Persons List (DPL).

BIS publishes the DPL as ``dpl.txt``: tab-separated, one header line
(``Name, Street_Address, City, State, Country, Postal_Code, Effective_Date,
Expiration_Date, Standard_Order, Last_Update, Action, FR_Citation``) and one
row per denial order *and* address. The list has no record id and no type.

Grouping: a denied person is named by each order against it, at each address
it had, so one person spans several rows ("AL NASER AIRLINES" has seven,
spelled two ways; "I. ASH" three, from orders of 2002 and 2003). Rows whose
names are equal after folding case, accents, punctuation and spacing are one
entry, with every address and every Federal Register notice of its rows. Two
different parties with the very same name would merge too; the DPL shows
none, and a screening hit on either would need the same review.

Entry id: ``us_bis_dpl:<12 hex digits of SHA-256 of the folded name>``. It is
stable across versions as long as BIS spells the name the same way.

Dates are US ``MM/DD/YYYY``. ``Last_Update`` is kept as written, typos such
as ``3033-09-30`` included: it is a property, not a date we compute with.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lists.base import ParsedList, Skip, date_from_folder, find_file, sha256_file
from lists.formats.bare_names import guess_kind, split_name
from lists.formats.dates import parse_date
from lists.formats.federal_register import merge_fr_legal_bases
from lists.formats.us_addresses import is_us_state_and_zip
from screening.core.countries import to_iso2
from screening.core.model import (
    Address,
    Country,
    CountryRole,
    EntityKind,
    ListEntry,
    Name,
    NameKind,
    dedupe,
)
from screening.errors import ListFormatError

SOURCE = "us_bis_dpl"
FILE_NAMES = ("dpl.txt",)
MAX_BYTES = 64 * 1024 * 1024  # the DPL is about 170 kB
COLUMNS = (
    "Name",
    "Street_Address",
    "City",
    "State",
    "Country",
    "Postal_Code",
    "Effective_Date",
    "Expiration_Date",
    "Standard_Order",
    "Last_Update",
    "Action",
    "FR_Citation",
)
REQUIRED_COLUMNS = ("Name", "Effective_Date", "FR_Citation")
ID_LENGTH = 12  # hex digits: 48 bits, ample for a list of under a thousand names


def parse(path: Path) -> ParsedList:
    """Parse a DPL mirror folder or a ``dpl.txt`` file into one entry per denied name.

    Raises:
        ListFormatError: no DPL file, not UTF-8/Windows-1252 text, or not the
            tab-separated DPL layout.
    """
    file = _locate(path)
    rows, skipped, records = _read_rows(file)
    groups: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for ref, row in rows:
        key = name_key(row["Name"])
        if not key:
            skipped.append(Skip("no name", ref))
            continue
        groups.setdefault(key, []).append((ref, row))
    entries = [_entry(key, group) for key, group in groups.items()]
    return ParsedList(
        source=SOURCE,
        entries=entries,
        as_of=date_from_folder(file) or _latest_effective(rows),
        files={file.name: sha256_file(file)},
        skipped=skipped,
        records=records,
    )


def name_key(name: str) -> str:
    """The folded name rows are grouped by: no case, accents, punctuation or extra spaces."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def source_id(name: str) -> str:
    """The stable source id of the entry for a listed name (any spelling that folds the same)."""
    return _hash(name_key(name))


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:ID_LENGTH]


def _locate(path: Path) -> Path:
    if path.is_file():
        return path
    if not path.is_dir():
        raise ListFormatError(f"{path}: no such file or folder")
    found = find_file(path, FILE_NAMES)
    if found is None:
        raise ListFormatError(f"{path}: no DPL file ({', '.join(FILE_NAMES)})")
    return found


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # BIS's older exports were Windows-1252; a byte it does not define means binary data.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ListFormatError(f"{name}: neither UTF-8 nor Windows-1252 text") from exc


def _read_rows(file: Path) -> tuple[list[tuple[str, dict[str, str]]], list[Skip], int]:
    """The data rows as dicts, the skipped rows, and the number of data rows read."""
    data = file.read_bytes()
    if not data.strip():
        raise ListFormatError(f"{file.name}: the file is empty")
    if len(data) > MAX_BYTES:
        raise ListFormatError(f"{file.name}: over the {MAX_BYTES}-byte limit")
    reader = csv.reader(io.StringIO(_decode(data, file.name), newline=""), delimiter="\t")
    try:
        header = [h.strip() for h in next(reader)]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise ListFormatError(
                f"{file.name}: not the tab-separated DPL layout, missing {', '.join(missing)}"
            )
        rows: list[tuple[str, dict[str, str]]] = []
        skipped: list[Skip] = []
        records = 0
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            records += 1
            ref = f"line {reader.line_num}"
            if len(values) != len(header):
                skipped.append(Skip(f"row has {len(values)} fields, expected {len(header)}", ref))
                continue
            row = {c: "" for c in COLUMNS}
            row.update((k, " ".join(v.split())) for k, v in zip(header, values, strict=True))
            rows.append((ref, row))
    except csv.Error as exc:
        raise ListFormatError(f"{file.name}: malformed at line {reader.line_num} ({exc})") from exc
    return rows, skipped, records


@dataclass
class _Draft:
    names: list[Name] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    citations: list[tuple[str, str | None]] = field(default_factory=list)
    effective: list[str] = field(default_factory=list)
    properties: list[tuple[str, str]] = field(default_factory=list)

    def prop(self, key: str, value: str | None) -> None:
        if value:
            self.properties.append((key, value))


def _entry(key: str, rows: list[tuple[str, dict[str, str]]]) -> ListEntry:
    draft = _Draft()
    for _, row in rows:
        listed, aliases, _ = split_name(row["Name"])
        draft.names.append(Name(listed, NameKind.PRIMARY if not draft.names else NameKind.ALIAS))
        draft.names.extend(aliases)
        address = _address(row)
        if address is not None:
            draft.addresses.append(address)
        effective = parse_date(row["Effective_Date"], day_first=False)
        if effective:
            draft.effective.append(effective)
        draft.citations.append((row["FR_Citation"], effective))
        expiration = row["Expiration_Date"]
        draft.prop("effective_date", effective or row["Effective_Date"])
        draft.prop("expiration_date", parse_date(expiration, day_first=False) or expiration)
        draft.prop("standard_order", row["Standard_Order"].upper())
        draft.prop("last_update", row["Last_Update"])  # as written: "3033-09-30" happens
        draft.prop("action", row["Action"].strip(" ,"))
    primary = draft.names[0]
    seen: set[str] = set()
    names: list[Name] = []
    for name in draft.names:
        if name.value.casefold() not in seen:
            seen.add(name.value.casefold())
            names.append(name)
    countries = [Country(a.country, CountryRole.ADDRESS) for a in draft.addresses if a.country]
    return ListEntry(
        source=SOURCE,
        source_id=_hash(key),
        kind=guess_kind(primary.value, EntityKind.PERSON),
        names=tuple(names),
        countries=dedupe(countries),
        addresses=dedupe(draft.addresses),
        programs=("DPL",),
        listed_on=min(draft.effective) if draft.effective else None,
        legal_basis=merge_fr_legal_bases(draft.citations),
        properties=tuple(sorted(dedupe([*draft.properties, ("kind_guessed", "true")]))),
    )


def _address(row: dict[str, str]) -> Address | None:
    street, city, state = row["Street_Address"], row["City"], row["State"]
    postal, country_text = row["Postal_Code"], row["Country"]
    country = to_iso2(country_text)
    if country is None and not country_text and is_us_state_and_zip(state, postal):
        country = "US"
    parts = [p for p in (street, city, state, postal, country_text or country) if p]
    if not parts:
        return None
    return Address(
        full=", ".join(parts),
        street=street or None,
        city=city or None,
        postal_code=postal or None,
        region=state or None,
        country=country,
    )


def _latest_effective(rows: list[tuple[str, dict[str, str]]]) -> date | None:
    """The newest past Effective_Date: the best as-of date when no mirror folder says."""
    today = date.today().isoformat()
    dates = [
        d
        for _, row in rows
        if (d := parse_date(row["Effective_Date"], day_first=False)) and len(d) == 10
    ]
    past = [d for d in dates if d <= today]
    return date.fromisoformat(max(past)) if past else None
