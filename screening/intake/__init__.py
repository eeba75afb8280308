"""Shipment file intake: uploaded spreadsheets and ERP JSON rows to ShipmentRows.

An adapter, not part of the pure core: it reads bytes with openpyxl and the
csv module, maps each sheet's headers to canonical fields
(:mod:`screening.intake.mapping`), normalises each row
(:mod:`screening.intake.normalize`) and returns what it read together with a
row-numbered error for everything it could not read as given. Limits come in
as arguments (from settings); going over one raises
:class:`~screening.errors.PayloadTooLarge`. A file that is no table at all
raises one :class:`~screening.errors.InvalidInput` with a message for the
uploader.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from screening.core.shipments import RowError, ShipmentRow
from screening.errors import InvalidInput, PayloadTooLarge
from screening.intake.mapping import (
    ColumnMapping,
    auto_map,
    normalize_overrides,
    parse_override_args,
    require_columns,
    unknown_override_headers,
)
from screening.intake.normalize import cell_text, infer_day_first, normalize_row
from screening.intake.readers import (
    DEFAULT_MAX_RATIO,
    DEFAULT_MAX_UNPACKED_BYTES,
    RawSheet,
    ReadFile,
    detect_format,
    load_json,
    read_csv,
    read_xlsx,
    sheet_from_json_rows,
)

__all__ = [
    "ColumnMapping",
    "IntakeResult",
    "parse_override_args",
    "read_json_rows",
    "read_shipments",
]


@dataclass(frozen=True, slots=True)
class IntakeResult:
    """What one upload yielded.

    ``rows`` are the shipments to screen; ``errors`` name every cell or row
    that could not be read as given (a row with an error may still be in
    ``rows``). ``mappings`` holds each sheet's column mapping, keyed by sheet
    name (None for CSV and JSON). ``rows_read`` counts non-empty data rows.
    """

    rows: list[ShipmentRow]
    errors: list[RowError]
    mappings: dict[str | None, ColumnMapping]
    sheets: list[str]  # workbook sheets whose rows were taken, in order
    sha256: str  # of the uploaded bytes (of canonical JSON for JSON rows)
    format: str  # "xlsx", "csv" or "json"
    rows_read: int = 0
    encoding: str | None = None  # CSV / JSON text encoding detected
    delimiter: str | None = None  # CSV delimiter detected
    skipped_sheets: list[str] = field(default_factory=list)


def read_shipments(
    data: bytes,
    filename: str,
    *,
    mapping_overrides: Mapping[str, str | None] | None = None,
    max_bytes: int,
    max_rows: int,
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES,
    max_ratio: float = DEFAULT_MAX_RATIO,
) -> IntakeResult:
    """Read an uploaded .xlsx, CSV or JSON file into shipment rows.

    ``mapping_overrides`` maps a header to a canonical field ("Ship-to" ->
    "consignee"; an empty target ignores the column) and wins over the
    automatic mapping.

    Raises:
        PayloadTooLarge: more than ``max_bytes`` bytes or ``max_rows`` data rows,
            or a workbook that unpacks past ``max_unpacked_bytes`` / ``max_ratio``.
        InvalidInput: an empty, binary or malformed file; a sheet lacking the
            required columns; an override naming an unknown field or header.
    """
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"the file is {len(data):,} bytes, more than the {max_bytes:,} bytes allowed",
            max_bytes=max_bytes,
        )
    overrides = dict(mapping_overrides or {})
    normalize_overrides(overrides)  # a bad target fails before any reading
    digest = hashlib.sha256(data).hexdigest()
    file_format = detect_format(data, filename)
    if file_format == "json":
        return read_json_rows(load_json(data), overrides, max_rows=max_rows, sha256=digest)
    if file_format == "xlsx":
        read = read_xlsx(
            data, max_rows=max_rows, max_unpacked_bytes=max_unpacked_bytes, max_ratio=max_ratio
        )
    else:
        read = read_csv(data, max_rows=max_rows)
    return _assemble(read, overrides, digest)


def read_json_rows(
    rows: Sequence[object],
    mapping_overrides: Mapping[str, str | None] | None = None,
    *,
    max_rows: int,
    sha256: str | None = None,
) -> IntakeResult:
    """Read ERP JSON rows (objects keyed by canonical field names or raw headers).

    Row numbers are the 1-based index + 1. ``sha256`` defaults to the hash of
    the rows as canonical JSON (sorted keys, no spaces, UTF-8).

    Raises:
        PayloadTooLarge: more than ``max_rows`` rows.
        InvalidInput: not a list, no rows, missing required fields, bad overrides.
    """
    if not isinstance(rows, list | tuple):
        raise InvalidInput("JSON rows must be a list of objects")
    overrides = dict(mapping_overrides or {})
    normalize_overrides(overrides)
    if sha256 is None:
        canonical = json.dumps(
            rows, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
        )
        sha256 = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    sheet = sheet_from_json_rows(rows, max_rows=max_rows)
    return _assemble(ReadFile(format="json", sheets=[sheet], encoding=None), overrides, sha256)


def _assemble(read: ReadFile, overrides: dict[str, str | None], digest: str) -> IntakeResult:
    unknown = unknown_override_headers(
        overrides, [h for sheet in read.sheets for h in sheet.headers]
    )
    if unknown:
        seen = ", ".join(repr(h) for h in dict.fromkeys(h for s in read.sheets for h in s.headers))
        raise InvalidInput(
            f"mapping override for {', '.join(repr(h) for h in unknown)}: no such column; "
            f"headers seen: {seen}",
            headers=unknown,
        )
    mapped: list[tuple[RawSheet, ColumnMapping]] = []
    errors: list[RowError] = []
    skipped: list[str] = []
    for sheet in read.sheets:
        mapping = auto_map(sheet.headers, overrides)
        if mapping.missing() and not mapping.is_relevant() and len(read.sheets) > 1:
            # A notes or lookup sheet beside the shipments: say so, do not fail.
            skipped.append(sheet.name or "")
            errors.append(
                RowError(
                    row=sheet.header_row,
                    sheet=sheet.name,
                    field=None,
                    message="sheet not read: no party or destination column among "
                    + ", ".join(repr(h) for h in sheet.headers),
                )
            )
            continue
        require_columns(mapping, sheet.headers, sheet.name)
        mapped.append((sheet, mapping))
    if not mapped:
        listing = "; ".join(
            f"sheet {s.name!r}: {', '.join(repr(h) for h in s.headers)}" for s in read.sheets
        )
        raise InvalidInput(
            "no sheet has a party name column (consignee, end_user or buyer) and a "
            f"destination column (destination_country or consignee_country); {listing}"
        )
    if not any(sheet.rows for sheet, _ in mapped):
        raise InvalidInput("the file has a header row but no data rows below it")

    rows: list[ShipmentRow] = []
    for sheet, mapping in mapped:
        rows.extend(_read_sheet(sheet, mapping, errors))
    return IntakeResult(
        rows=rows,
        errors=errors,
        mappings={sheet.name: mapping for sheet, mapping in mapped},
        sheets=[sheet.name for sheet, _ in mapped if sheet.name is not None],
        sha256=digest,
        format=read.format,
        rows_read=sum(len(sheet.rows) for sheet, _ in mapped),
        encoding=read.encoding,
        delimiter=read.delimiter,
        skipped_sheets=skipped,
    )


def _read_sheet(
    sheet: RawSheet, mapping: ColumnMapping, errors: list[RowError]
) -> list[ShipmentRow]:
    positions = {field_name: sheet.headers.index(h) for h, field_name in mapping.columns}
    date_column = positions.get("date")
    day_first = (
        infer_day_first(cell for r in sheet.rows if isinstance(cell := r.cells[date_column], str))
        if date_column is not None
        else None
    )
    formulas: dict[int, list[tuple[int, str]]] = {}
    for row_number, column, formula in sheet.uncached_formulas:
        formulas.setdefault(row_number, []).append((column, formula))
    errors.extend(RowError(number, sheet.name, None, message) for number, message in sheet.problems)
    rows: list[ShipmentRow] = []
    for raw in sheet.rows:
        for column, formula in formulas.get(raw.row, ()):
            header = sheet.headers[column]
            errors.append(
                RowError(
                    row=raw.row,
                    sheet=sheet.name,
                    field=mapping.field_for(header),
                    message=f"{header}: the cell holds a formula ({formula[:60]}) with no saved "
                    "result, so it reads as empty; open and save the file in Excel, "
                    "or paste the values",
                )
            )
        values = {field_name: raw.cells[i] for field_name, i in positions.items()}
        original = tuple(
            (header, cell_text(cell)) for header, cell in zip(sheet.headers, raw.cells, strict=True)
        )
        row, row_errors = normalize_row(
            values,
            row=raw.row,
            sheet=sheet.name,
            original=original,
            decimal_comma=sheet.decimal_comma,
            day_first=day_first,
        )
        errors.extend(row_errors)
        if row is not None:
            rows.append(row)
    return rows
