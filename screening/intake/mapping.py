"""Which input column feeds which shipment field.

ERP and forwarder exports name the same thing many ways ("Ship-to party",
"Warenempfänger", "Consignee name"). :data:`SYNONYMS` is the table of names
we recognise; :func:`auto_map` matches headers against it after folding case,
accents and punctuation (so "Dest. country" and "DEST COUNTRY" are the same
header). Caller overrides (``{"Ship-to": "consignee"}``) are applied first and
win. A sheet we can screen needs a party name column and a destination column;
:func:`require_columns` says clearly which is missing.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from screening.errors import InvalidInput

# The mapping targets, in the order reports list them.
FIELDS: tuple[str, ...] = (
    "shipment_id",
    "date",
    "exporter",
    "exporter_country",
    "consignee",
    "consignee_country",
    "consignee_address",
    "end_user",
    "end_user_country",
    "end_user_address",
    "buyer",
    "buyer_country",
    "forwarder",
    "forwarder_country",
    "intermediate_consignee",
    "intermediate_consignee_country",
    "notify_party",
    "notify_party_country",
    "destination_country",
    "transshipment_countries",
    "hs_code",
    "goods_description",
    "quantity",
    "value",
    "currency",
    "control_code",
)

PARTY_FIELDS: tuple[str, ...] = ("consignee", "end_user", "buyer")
DESTINATION_FIELDS: tuple[str, ...] = ("destination_country", "consignee_country")

# Header names seen in real ERP (SAP, Dynamics), forwarder and customs-broker
# exports live in synonyms.csv, English first, then German and French, so that
# compliance staff can extend them without touching code. Within a field the
# rows run from most to least specific: when two headers of one sheet map to
# the same field, the one matching the earlier synonym wins ("Name of ship-to
# party" beats "Ship-to party", which in SAP exports often holds the customer
# number). The canonical field names themselves ("end_user") always match.
SYNONYMS_FILE = "synonyms.csv"


def _load_synonyms() -> dict[str, tuple[str, ...]]:
    text = resources.files(__package__).joinpath(SYNONYMS_FILE).read_text(encoding="utf-8")
    lines = (line for line in text.splitlines() if line and not line.startswith("#"))
    table: dict[str, list[str]] = {name: [] for name in FIELDS}
    for record in csv.DictReader(lines):
        if record["field"] not in table:
            raise AssertionError(f"{SYNONYMS_FILE}: unknown field {record['field']!r}")
        table[record["field"]].append(record["header"])
    return {name: tuple(headers) for name, headers in table.items()}


SYNONYMS: dict[str, tuple[str, ...]] = _load_synonyms()

# Word-level spellings folded to one form before lookup, so the table needs
# "order no" only once for "Order No.", "Order #", "Order number", "Order Nr.".
_TOKEN_ALIASES: dict[str, str] = {
    "number": "no",
    "nr": "no",
    "num": "no",
    "nbr": "no",
    "ctry": "country",
    "cntry": "country",
    "dest": "destination",
    "desc": "description",
    "descr": "description",
    "addr": "address",
}


def fold_header(header: str) -> str:
    """The lookup key for a header: case, accents, punctuation and word spellings folded."""
    text = unicodedata.normalize("NFKD", header).casefold()  # NFKD also turns "№" into "no"
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("#", " no ").replace("&", " and ")
    # Letters of every script stay: a Cyrillic header must still be overridable.
    tokens = re.sub(r"[\W_]+", " ", text).split()
    return " ".join(_TOKEN_ALIASES.get(t, t) for t in tokens)


def _build_index() -> dict[str, tuple[str, int]]:
    index: dict[str, tuple[str, int]] = {}
    for field_name, names in SYNONYMS.items():
        for rank, name in enumerate((*names, field_name)):
            key = fold_header(name)
            owner = index.get(key)
            if owner is not None and owner[0] != field_name:
                raise AssertionError(f"synonym {name!r} listed for {owner[0]} and {field_name}")
            if owner is None:
                index[key] = (field_name, rank)
    return index


# folded synonym -> (field, rank); built once at import so a clash fails loudly.
_INDEX = _build_index()
_FIELD_SET = frozenset(FIELDS)


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """How one sheet's headers map to canonical fields.

    ``columns`` pairs each mapped header with its field, in column order;
    ``unmapped`` lists the other headers (still echoed in reports);
    ``overridden`` lists the headers whose field the caller chose.
    """

    columns: tuple[tuple[str, str], ...]
    unmapped: tuple[str, ...]
    overridden: tuple[str, ...] = ()

    def field_for(self, header: str) -> str | None:
        for mapped_header, field_name in self.columns:
            if mapped_header == header:
                return field_name
        return None

    def header_for(self, field_name: str) -> str | None:
        for header, mapped_field in self.columns:
            if mapped_field == field_name:
                return header
        return None

    def as_dict(self) -> dict[str, str]:
        """Header -> field, in column order."""
        return dict(self.columns)

    def missing(self) -> list[str]:
        """Plain-language descriptions of the required columns this mapping lacks."""
        fields = {f for _, f in self.columns}
        missing = []
        if not fields & set(PARTY_FIELDS):
            missing.append("a party name column (consignee, end_user or buyer)")
        if not fields & set(DESTINATION_FIELDS):
            missing.append("a destination column (destination_country or consignee_country)")
        return missing

    def is_relevant(self) -> bool:
        """Whether the sheet has any party or destination column at all."""
        fields = {f for _, f in self.columns}
        return bool(fields & (set(PARTY_FIELDS) | set(DESTINATION_FIELDS)))


def field_name(target: str) -> str | None:
    """The canonical field an override names ("End user" -> "end_user"); None means "ignore".

    Raises:
        InvalidInput: the target is not a canonical field.
    """
    folded = fold_header(target).replace(" ", "_")
    if folded in ("", "ignore", "none", "skip"):
        return None
    if folded not in _FIELD_SET:
        raise InvalidInput(
            f"unknown mapping target {target!r}: use one of {', '.join(FIELDS)} "
            "(or leave it empty to ignore the column)",
            field=target,
        )
    return folded


def normalize_overrides(overrides: Mapping[str, str | None] | None) -> dict[str, str | None]:
    """Overrides keyed by folded header, targets checked; None targets mean "do not map".

    Raises:
        InvalidInput: a target is not a canonical field, or one header is given two targets.
    """
    result: dict[str, str | None] = {}
    for header, target in (overrides or {}).items():
        key = fold_header(header)
        if not key:
            raise InvalidInput(f"mapping override with an empty header ({header!r})")
        field_value = field_name(target) if target else None
        if key in result and result[key] != field_value:
            raise InvalidInput(f"mapping override gives header {header!r} two different fields")
        result[key] = field_value
    return result


def parse_override_args(items: Iterable[str]) -> dict[str, str | None]:
    """Overrides from CLI arguments like ``"Ship-to=consignee"`` (``"Notes="`` ignores a column).

    Raises:
        InvalidInput: an item has no ``=`` or names an unknown field.
    """
    result: dict[str, str | None] = {}
    for item in items:
        # Split on the last "=": field names never contain one, headers might.
        header, sep, target = item.rpartition("=")
        if not sep or not header.strip():
            raise InvalidInput(f"mapping {item!r} must look like 'Header=field'")
        result[header.strip()] = field_name(target) if target.strip() else None
    normalize_overrides(result)  # validates duplicates
    return result


def auto_map(
    headers: Sequence[str], overrides: Mapping[str, str | None] | None = None
) -> ColumnMapping:
    """Map headers to canonical fields: overrides first, then the synonym table.

    Each field is fed by one header at most. Overrides for headers this sheet
    does not have are ignored here (see :func:`unknown_override_headers`).

    Raises:
        InvalidInput: an override names an unknown field or maps two headers to one field.
    """
    folded_overrides = normalize_overrides(overrides)
    chosen: dict[str, str] = {}  # header -> field
    taken: dict[str, str] = {}  # field -> header
    overridden: list[str] = []
    for header in headers:
        key = fold_header(header)
        if key not in folded_overrides:
            continue
        overridden.append(header)
        target = folded_overrides[key]
        if target is None:
            continue
        if target in taken:
            raise InvalidInput(
                f"mapping overrides send both {taken[target]!r} and {header!r} to {target}",
                field=target,
            )
        chosen[header] = target
        taken[target] = header

    best: dict[str, tuple[int, str]] = {}  # field -> (rank, header); earlier column wins ties
    for header in headers:
        if header in overridden:
            continue
        hit = _INDEX.get(fold_header(header))
        if hit is None or hit[0] in taken:
            continue
        field_value, rank = hit
        if field_value not in best or rank < best[field_value][0]:
            best[field_value] = (rank, header)
    for field_value, (_, header) in best.items():
        chosen[header] = field_value

    columns = tuple((h, chosen[h]) for h in headers if h in chosen)
    unmapped = tuple(h for h in headers if h not in chosen)
    return ColumnMapping(columns=columns, unmapped=unmapped, overridden=tuple(overridden))


def unknown_override_headers(
    overrides: Mapping[str, str | None] | None, headers_seen: Iterable[str]
) -> list[str]:
    """The override headers that match no header in the input (likely typos)."""
    seen = {fold_header(h) for h in headers_seen}
    return [h for h in (overrides or {}) if fold_header(h) not in seen]


def require_columns(mapping: ColumnMapping, headers: Sequence[str], sheet: str | None) -> None:
    """Check that a sheet can be screened.

    Raises:
        InvalidInput: the party name or destination column is missing; the
            message lists what is missing and the headers seen.
    """
    missing = mapping.missing()
    if not missing:
        return
    where = f"sheet {sheet!r}" if sheet else "the file"
    seen = ", ".join(repr(h) for h in headers) or "none"
    raise InvalidInput(
        f"{where} lacks {' and '.join(missing)}; headers seen: {seen}. "
        "Map a column explicitly with a mapping override such as 'Ship-to=consignee'.",
        sheet=sheet,
        missing=missing,
        headers=list(headers),
    )
