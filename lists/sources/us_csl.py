"""US trade.gov Consolidated Screening List (CSL).

The CSL merges thirteen export-screening lists into one table: Commerce/BIS
(Entity List, Denied Persons, Unverified, Military End User), State (ITAR
debarred, nonproliferation sanctions) and Treasury (SDN and the non-SDN
lists). trade.gov publishes it as ``consolidated.csv`` (29 columns, several
values in one cell joined with ``"; "``) and as ``consolidated.json`` (the
CSL API's ``{"results": [...]}`` with the same field names and lists
instead of joined strings). Either may be gzipped; the content decides, not
the file name.

Choices made here:

* **One entry per ``_id``.** Treasury rows keep their OFAC number as ``_id``
  and the CSL repeats a party once per sub-list it is on (SDN and CAPTA, SSI
  and NS-MBS). Those rows are merged: each sub-list becomes a ``csl_source``
  property value and a leading ``programs`` value, and names and facts are
  united. ``ParsedList.records`` keeps the row count.
* **Sub-list code** (``"EL"``, ``"SDN"``, ``"NS-MBS"``, ...) is read from the
  parenthesis in ``source``.
* **Kind.** Six sub-lists give no ``type``; their entries get a kind guessed
  from the name (see :mod:`lists.formats.bare_names`) and ``kind_guessed``.
* **``ids``** are "label, number[, country]" items. Files of 2022 and earlier
  write "[country, ]number, label"; the order is detected per file by which
  end of the items carries labels we know.
* **Federal Register notices** become legal bases with federalregister.gov
  citation URLs (see :mod:`lists.formats.federal_register`).
* Repeated header rows (partial extracts have them) are dropped; rows with the
  wrong number of fields are skipped and counted.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lists.base import ParsedList, Skip, date_from_folder, find_file, sha256_file
from lists.formats.bare_names import guess_kind, split_name
from lists.formats.dates import parse_date, year_range
from lists.formats.federal_register import merge_fr_legal_bases
from lists.formats.us_addresses import is_us_state_and_zip
from screening.core.countries import to_iso2
from screening.core.model import (
    Address,
    Country,
    CountryRole,
    EntityKind,
    Identifier,
    IdentifierType,
    ListEntry,
    Name,
    NameKind,
    dedupe,
)
from screening.errors import ListFormatError

SOURCE = "us_csl"
FILE_NAMES = (
    "consolidated.csv",
    "consolidated.csv.gz",
    "consolidated.json",
    "consolidated.json.gz",
    "csl.csv",
)
MAX_BYTES = 512 * 1024 * 1024  # uncompressed; the full CSL is about 6 MB
REQUIRED_COLUMNS = ("_id", "source", "name")

# Sub-lists whose untyped entries are mostly people (debarred and denied individuals).
PERSON_SUBLISTS = frozenset({"DPL", "DTC"})

TYPES: dict[str, EntityKind] = {
    "individual": EntityKind.PERSON,
    "entity": EntityKind.ORGANIZATION,
    "vessel": EntityKind.VESSEL,
    "aircraft": EntityKind.AIRCRAFT,
}

# ``ids`` labels (lower case, trailing ":" and "-" removed) that are identifiers.
ID_LABELS: dict[str, IdentifierType] = {
    **dict.fromkeys(
        (
            "passport",
            "diplomatic passport",
            "british national overseas passport",
            "stateless person passport",
            "travel document number",
        ),
        IdentifierType.PASSPORT,
    ),
    **dict.fromkeys(
        (
            "national id no.",
            "cedula no.",
            "c.u.r.p.",
            "d.n.i.",
            "identification number",
            "national foreign id number",
            "personal id card",
            "numero de identidad",
            "kenyan id no.",
            "bosnian personal id no.",
            "moroccan personal id no.",
            "turkish identification number",
            "citizen's card number",
            "tazkira national id card",
            "uae identification",
            "cnp (personal numerical code)",
            "residency number",
            "refugee id card",
            "stateless person id card",
            "credencial electoral",
            "electoral registry no.",
            "i.f.e.",
            "immigration no.",
            "public security and immigration no.",
            "n.i.e.",
            "ssn",
            "birth certificate number",
            "romanian permanent resident",
        ),
        IdentifierType.NATIONAL_ID,
    ),
    **dict.fromkeys(
        (
            "tax id no.",
            "r.f.c.",
            "rfc",
            "nit #",
            "ruc #",
            "rif #",
            "v.a.t. number",
            "us fein",
            "italian fiscal code",
            "fiscal code",
            "c.i.f.",
            "c.u.i.t.",
            "c.u.i.p.",
            "c.u.i.",
            "numero unico de identificacao tributaria (nuit)",
            "paraguayan tax identification number",
            "romanian tax registration",
            "rtn",
        ),
        IdentifierType.TAX_ID,
    ),
    **dict.fromkeys(
        (
            "registration id",
            "registration number",
            "company number",
            "uk company number",
            "commercial registry number",
            "business registration number",
            "business registration document #",
            "public registration number",
            "trade license no.",
            "matricula mercantil no",
            "folio mercantil no.",
            "c.r. no.",
            "romanian c.r.",
            "certificate of incorporation number",
            "chamber of commerce number",
            "dubai chamber of commerce membership no.",
            "istanbul chamber of comm. no.",
            "enterprise number",
            "business number",
            "government gazette number",
            "registered charity no.",
            "central registration system number",
            "le number",
            "rsin",
            "license",
        ),
        IdentifierType.REGISTRATION,
    ),
    "unified social credit code (uscc)": IdentifierType.USCC,
    "united social credit code certificate (usccc)": IdentifierType.USCC,
    "legal entity number": IdentifierType.LEI,
    "swift/bic": IdentifierType.SWIFT,
    "vessel registration identification": IdentifierType.IMO,
    "mmsi": IdentifierType.MMSI,
    "other vessel call sign": IdentifierType.CALL_SIGN,
    "aircraft manufacturer's serial number (msn)": IdentifierType.AIRCRAFT_MSN,
    "aircraft serial identification": IdentifierType.AIRCRAFT_MSN,
    "aircraft tail number": IdentifierType.AIRCRAFT_TAIL,
    "previous aircraft tail number": IdentifierType.AIRCRAFT_TAIL,
}
# Other numbers that identify a party: kept as OTHER identifiers with the label as note.
OTHER_ID_LABELS = frozenset(
    {
        "isin",
        "d-u-n-s number",
        "bik (ru)",
        "micex code",
        "equity ticker",
        "chinese commercial code",
        "aircraft mode s transponder code",
        "aircraft construction number (also called l/n or s/n or f/n)",
        "driver's license no.",
        "pilot license number",
        "seafarer's identification document",
        "visanumberid",
        "sre permit no.",
        "msb registration number",
        "afghan money service provider license number",
        "tourism license no.",
        "serial no.",
        "branch unit number",
        "file number",
        "cartilla de servicio militar nacional",
        "un/locode",
    }
)
# ``ids`` labels that are facts, not identifiers: property key per label.
PROPERTY_LABELS: dict[str, str] = {
    "website": "website",
    "email address": "email",
    "phone number": "phone",
    "organization established date": "established",
    "organization type": "organization_type",
    "target type": "target_type",
    "aircraft model": "aircraft_model",
    "aircraft operator": "aircraft_operator",
    "aircraft manufacture date": "aircraft_built",
    "former vessel flag": "former_flag",
    "other vessel flag": "other_flag",
    "other vessel type": "other_vessel_type",
    "issuer name": "issuer_name",
}
COUNTRY_LABELS: dict[str, CountryRole] = {
    "nationality of registration": CountryRole.REGISTRATION,
    "registration country": CountryRole.REGISTRATION,
    "nationality country": CountryRole.NATIONALITY,
}
_KNOWN_LABELS = frozenset(
    {*ID_LABELS, *OTHER_ID_LABELS, *PROPERTY_LABELS, *COUNTRY_LABELS, "gender"}
)

_SUBLIST = re.compile(r"\(([^()]+)\)")
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
_COUNTRY_NAME = re.compile(r"^[^\W\d_]+(?:[ .'-]+[^\W\d_]+)*$")
_NO_COUNTRY = frozenset({"", "none identified", "unknown", "none"})
_LINKED_TO = re.compile(r"Linked To:\s*([^;)]+)")
_CIRCA = re.compile(r"^(?:circa|approximately|approx\.?|about)\s+", re.IGNORECASE)
_RANGE = re.compile(r"^(\d{4})\s*(?:to|-|–)\s*(\d{4})$")
# Windows-1252 characters that reached the file as C1 control codes ("Xi\x92an").
_C1_FIX = {
    code: char
    for code in range(0x80, 0xA0)
    if (char := bytes([code]).decode("cp1252", errors="ignore"))
}

Row = Mapping[str, Any]


def parse(path: Path) -> ParsedList:
    """Parse a CSL mirror folder or a single CSV/JSON file (optionally gzipped).

    Raises:
        ListFormatError: no CSL file, not CSV/JSON of the CSL shape, unreadable
            gzip, or not UTF-8.
    """
    file = _locate(path)
    text = _read_text(file)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        rows, skipped = _json_rows(stripped, file.name)
    else:
        rows, skipped = _csv_rows(text, file.name)
    records = len(rows) + len(skipped)
    label_first = _ids_label_first(row for _, row in rows)

    groups: dict[str, list[tuple[str, Row]]] = {}
    for ref, row in rows:
        source_id = _text(row, "_id") or _text(row, "id")
        if not source_id:
            skipped.append(Skip("no _id", ref))
            continue
        if not _text(row, "name"):
            skipped.append(Skip("no name", ref))
            continue
        groups.setdefault(source_id, []).append((ref, row))

    entries = [_entry(source_id, group, label_first) for source_id, group in groups.items()]
    return ParsedList(
        source=SOURCE,
        entries=entries,
        as_of=date_from_folder(file) or _latest_start(rows),
        files={file.name: sha256_file(file)},
        skipped=skipped,
        records=records,
    )


def _locate(path: Path) -> Path:
    if path.is_file():
        return path
    if not path.is_dir():
        raise ListFormatError(f"{path}: no such file or folder")
    found = find_file(path, FILE_NAMES)
    if found is None:
        raise ListFormatError(f"{path}: no CSL file ({', '.join(FILE_NAMES)})")
    return found


def _read_text(file: Path) -> str:
    data = file.read_bytes()
    if not data.strip():
        raise ListFormatError(f"{file.name}: the file is empty")
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
                data = fh.read(MAX_BYTES + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise ListFormatError(f"{file.name}: unreadable or truncated gzip ({exc})") from exc
    if len(data) > MAX_BYTES:
        raise ListFormatError(f"{file.name}: over the {MAX_BYTES}-byte limit")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListFormatError(f"{file.name}: not UTF-8 text ({exc})") from exc
    return text.translate(_C1_FIX)


def _csv_rows(text: str, name: str) -> tuple[list[tuple[str, Row]], list[Skip]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ListFormatError(f"{name}: no CSV header") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ListFormatError(f"{name}: not a CSL CSV, missing columns {', '.join(missing)}")
    rows: list[tuple[str, Row]] = []
    skipped: list[Skip] = []
    try:
        for values in reader:
            ref = f"line {reader.line_num}"
            if not any(v.strip() for v in values):
                continue
            if values[0].strip() == header[0]:
                continue  # a repeated header row, as partial extracts carry
            if len(values) != len(header):
                skipped.append(Skip(f"row has {len(values)} fields, expected {len(header)}", ref))
                continue
            rows.append((ref, dict(zip(header, values, strict=True))))
    except csv.Error as exc:
        raise ListFormatError(f"{name}: malformed CSV at line {reader.line_num} ({exc})") from exc
    return rows, skipped


def _json_rows(text: str, name: str) -> tuple[list[tuple[str, Row]], list[Skip]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ListFormatError(f"{name}: not valid JSON ({exc})") from exc
    results = data.get("results") if isinstance(data, dict) else data
    if not isinstance(results, list):
        raise ListFormatError(f'{name}: not the CSL JSON shape {{"results": [...]}}')
    rows: list[tuple[str, Row]] = []
    skipped: list[Skip] = []
    for number, item in enumerate(results):
        ref = f"results[{number}]"
        if isinstance(item, dict):
            rows.append((ref, item))
        else:
            skipped.append(Skip(f"result is a {type(item).__name__}, not an object", ref))
    return rows, skipped


def _text(row: Row, key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v).strip() for v in value if v not in (None, ""))
    return str(value).strip()


def _items(row: Row, key: str) -> list[Any]:
    """A multi-valued field as a list: JSON lists as they are, CSV cells split on ";"."""
    value = row.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return [v.strip() if isinstance(v, str) else v for v in value if v not in (None, "")]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _label(text: str) -> str:
    return text.strip().rstrip(":- ").strip().lower()


def _ids_label_first(rows: Iterable[Row]) -> bool:
    """Whether this file writes ``ids`` items label first (2023 on) rather than label last."""
    first = last = 0
    for row in rows:
        for item in _items(row, "ids"):
            if not isinstance(item, str):
                continue
            parts = item.split(", ")
            if len(parts) < 2:
                continue
            first += _label(parts[0]) in _KNOWN_LABELS
            last += _label(parts[-1]) in _KNOWN_LABELS
    return first >= last


def _split_id(item: str, label_first: bool) -> tuple[str, str, str | None]:
    """(label, value, country code or None) of one ``ids`` text item."""
    parts = [p.strip() for p in item.split(", ")]
    if len(parts) == 1:
        return "", parts[0], None
    country = None
    if label_first:
        label, rest = parts[0], parts[1:]
        if len(rest) >= 2 and _COUNTRY_CODE.match(rest[-1]):
            country = rest.pop()
    else:
        label, rest = parts[-1], parts[:-1]
        if len(rest) >= 2 and _COUNTRY_CODE.match(rest[0]):
            country = rest.pop(0)
    return label, ", ".join(rest), country


def _sublist(source: str) -> str:
    """ "Entity List (EL) - Bureau of Industry and Security" -> "EL"."""
    match = _SUBLIST.search(source)
    if not match:
        return source.strip()
    code = match.group(1).strip()
    return code[: -len(" List")] if code.endswith(" List") else code


@dataclass
class _Draft:
    """The facts of one ``_id`` collected over its rows, before deduplication."""

    names: list[Name] = field(default_factory=list)
    countries: list[Country] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    citations: list[tuple[str, str | None]] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    linked_to: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    properties: list[tuple[str, str]] = field(default_factory=list)
    start_dates: list[str] = field(default_factory=list)
    gender: str | None = None
    kind: EntityKind | None = None

    def prop(self, key: str, value: str) -> None:
        if value:
            self.properties.append((key, value))

    def add_countries(self, countries: Iterable[Country | None]) -> None:
        self.countries.extend(c for c in countries if c is not None)


def _entry(source_id: str, rows: list[tuple[str, Row]], label_first: bool) -> ListEntry:
    draft = _Draft()
    sublists: list[str] = []
    for _, row in rows:
        sublists.append(_sublist(_text(row, "source")))
        _collect(draft, row, label_first)
    sublists = list(dict.fromkeys(sublists))
    primary = draft.names[0]
    kind = draft.kind
    if kind is None:
        default = (
            EntityKind.PERSON if PERSON_SUBLISTS.intersection(sublists) else EntityKind.ORGANIZATION
        )
        kind = guess_kind(primary.value, default)
        draft.prop("kind_guessed", "true")
    for code in sublists:
        draft.prop("csl_source", code)
    return ListEntry(
        source=SOURCE,
        source_id=source_id,
        kind=kind,
        names=_unique_names(draft.names),
        countries=dedupe(draft.countries),
        addresses=dedupe(draft.addresses),
        birth_dates=dedupe(draft.birth_dates),
        birth_places=dedupe(draft.birth_places),
        identifiers=dedupe(draft.identifiers),
        programs=dedupe([*sublists, *draft.programs]),
        listed_on=min(draft.start_dates) if draft.start_dates else None,
        legal_basis=merge_fr_legal_bases(draft.citations),
        remarks="; ".join(dedupe(draft.remarks)) or None,
        gender=draft.gender,
        titles=dedupe(draft.titles),
        linked_to=dedupe(draft.linked_to),
        properties=tuple(sorted(dedupe(draft.properties))),
    )


def _collect(draft: _Draft, row: Row, label_first: bool) -> None:
    """Add one CSV/JSON row's facts to ``draft``."""
    name, inline_aliases, successors = split_name(_text(row, "name"))
    draft.names.append(Name(name, NameKind.PRIMARY if not draft.names else NameKind.ALIAS))
    draft.names.extend(inline_aliases)
    if successors:
        draft.prop("includes_successors", "true")
    for alias in _items(row, "alt_names"):
        draft.names.append(Name(" ".join(str(alias).split()), NameKind.ALIAS))

    kind = TYPES.get(_text(row, "type").lower())
    if draft.kind is None and kind is not None:
        draft.kind = kind

    draft.programs.extend(str(p) for p in _items(row, "programs"))
    draft.titles.extend(str(t) for t in _items(row, "title"))
    start = parse_date(_text(row, "start_date"), day_first=False)
    if start and len(start) == 10:
        draft.start_dates.append(start)
    draft.citations.append((_text(row, "federal_register_notice"), start))

    remarks = _text(row, "remarks")
    if remarks:
        draft.remarks.append(remarks)
        draft.linked_to.extend(m.strip() for m in _LINKED_TO.findall(remarks))

    for address in _items(row, "addresses"):
        _add_address(draft, address)
    for role, key in (
        (CountryRole.NATIONALITY, "nationalities"),
        (CountryRole.CITIZENSHIP, "citizenships"),
    ):
        draft.add_countries(_country(str(value), role) for value in _items(row, key))
    draft.add_countries([_country(_text(row, "vessel_flag"), CountryRole.FLAG)])
    call_sign = _text(row, "call_sign")
    if call_sign:
        draft.identifiers.append(Identifier(IdentifierType.CALL_SIGN, call_sign))

    for value in _items(row, "dates_of_birth"):
        draft.birth_dates.extend(_birth_dates(str(value)))
    draft.birth_places.extend(str(p) for p in _items(row, "places_of_birth"))

    for item in _items(row, "ids"):
        if isinstance(item, Mapping):
            _add_id(
                draft,
                str(item.get("type") or ""),
                str(item.get("number") or ""),
                str(item.get("country") or "") or None,
                _id_dates(item),
            )
        else:
            label, value, country = _split_id(str(item), label_first)
            _add_id(draft, label, value, country, None)

    end = parse_date(_text(row, "end_date"), day_first=False)
    draft.prop("end_date", end or _text(row, "end_date"))
    draft.prop("standard_order", _text(row, "standard_order").upper())
    for key in (
        "entity_number",
        "license_requirement",
        "license_policy",
        "vessel_type",
        "gross_tonnage",
        "gross_registered_tonnage",
        "vessel_owner",
        "source_list_url",
        "source_information_url",
    ):
        draft.prop(key, " ".join(_text(row, key).split()))


def _add_address(draft: _Draft, item: Any) -> None:
    if isinstance(item, Mapping):
        parts = {
            k: " ".join(str(item.get(k) or "").split())
            for k in ("address", "city", "state", "postal_code", "country")
        }
        country = to_iso2(parts["country"])
        if country is None and is_us_state_and_zip(parts["state"], parts["postal_code"]):
            country = "US"
        full = ", ".join(v for v in parts.values() if v)
        if not full:
            return
        address = Address(
            full=full,
            street=parts["address"] or None,
            city=parts["city"] or None,
            postal_code=parts["postal_code"] or None,
            region=parts["state"] or None,
            country=country,
        )
    else:
        full = " ".join(str(item).split())
        pieces = [p.strip() for p in full.split(",")]
        country = None
        if len(pieces) >= 2 and is_us_state_and_zip(pieces[-2], pieces[-1]):
            country = "US"
        elif _COUNTRY_CODE.match(pieces[-1]) or _COUNTRY_NAME.match(pieces[-1]):
            # The CSL ends an address with the country code; older rows spell the name out.
            country = to_iso2(pieces[-1])
        address = Address(full=full, country=country)
    draft.addresses.append(address)
    if address.country:
        draft.countries.append(Country(address.country, CountryRole.ADDRESS))


def _country(value: str, role: CountryRole) -> Country | None:
    """A country for a code or name; None for "None Identified" and the like."""
    if value.strip().lower() in _NO_COUNTRY:
        return None
    code = to_iso2(value)
    if code is None and value.count(",") == 1:
        # "Man, Isle of" is how OFAC sorts "Isle of Man".
        last, first = value.split(",")
        code = to_iso2(f"{first.strip()} {last.strip()}")
    return Country(code or "XX", role, label=None if code == value else value)


def _birth_dates(text: str) -> list[str]:
    text = _CIRCA.sub("", text.strip())
    match = _RANGE.match(text)
    if match:
        return list(year_range(match.group(1), match.group(2)))
    parsed = parse_date(text, day_first=False)
    return [parsed] if parsed else []


def _id_dates(item: Mapping[str, Any]) -> str | None:
    dates = [
        f"{label} {item[key]}"
        for key, label in (("issue_date", "issued"), ("expiration_date", "expires"))
        if item.get(key)
    ]
    return "; ".join(dates) or None


def _add_id(
    draft: _Draft, label_text: str, value: str, country_text: str | None, note: str | None
) -> None:
    label = _label(label_text)
    value = " ".join(value.split())
    if not value:
        return
    country = to_iso2(country_text) if country_text else None
    if label == "gender":
        draft.gender = value.lower() if value.lower() in ("male", "female") else draft.gender
        return
    if label in COUNTRY_LABELS:
        draft.add_countries([_country(value, COUNTRY_LABELS[label])])
        return
    if label in PROPERTY_LABELS:
        draft.prop(PROPERTY_LABELS[label], value)
        return
    id_type = ID_LABELS.get(label)
    if id_type is not None:
        if id_type is IdentifierType.IMO:
            value = re.sub(r"^IMO\s*", "", value, flags=re.IGNORECASE)
        elif id_type is IdentifierType.TAX_ID and country == "RU":
            id_type = IdentifierType.INN  # OFAC's "Tax ID No." of a Russian party is its INN
        draft.identifiers.append(Identifier(id_type, value, country, note or label_text.strip()))
        return
    if label in OTHER_ID_LABELS or label.startswith("digital currency address"):
        draft.identifiers.append(
            Identifier(IdentifierType.OTHER, value, country, label_text.strip())
        )
        return
    # Sanctions notes: secondary-sanctions risk, directive determinations, CMIC dates, ...
    draft.prop("sanctions_info", f"{label_text.strip()} {value}" if label_text else value)


def _unique_names(names: list[Name]) -> tuple[Name, ...]:
    """Names without repeats, ignoring case; the first spelling and kind win."""
    seen: set[str] = set()
    out: list[Name] = []
    for name in names:
        key = name.value.casefold()
        if name.value and key not in seen:
            seen.add(key)
            out.append(name)
    return tuple(out)


def _latest_start(rows: list[tuple[str, Row]]) -> date | None:
    """The newest ``start_date`` in the file: the best as-of date when no folder says."""
    latest: str | None = None
    for _, row in rows:
        value = parse_date(_text(row, "start_date"), day_first=False)
        if value and len(value) == 10 and value <= date.today().isoformat():
            latest = max(latest or value, value)
    return date.fromisoformat(latest) if latest else None
