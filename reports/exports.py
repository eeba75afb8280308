"""The screening result as CSV (one row per flag) and as JSON (the document itself).

The CSV has the columns of the Excel Flags sheet (:data:`reports.columns.FLAG_COLUMNS`);
a hyperlinked cell becomes its text. It is UTF-8 with a byte-order mark, so that
Excel opens it with the right encoding. Text that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is prefixed with ``'``, as the OWASP
guidance on CSV injection advises, so a spreadsheet shows it instead of
running it as a formula.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from reports.columns import FLAG_COLUMNS, CellValue, FlagRecord, Link

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def flag_rows(document: Mapping[str, Any]) -> Iterator[list[str]]:
    """The header, then one row of cell texts per flag, in document order."""
    yield [csv_safe(c.title) for c in FLAG_COLUMNS]
    for shipment in document.get("shipments") or ():
        for flag in shipment.get("flags") or ():
            record = FlagRecord(shipment, flag)
            yield [_text(c.value(record)) for c in FLAG_COLUMNS]


def _text(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, Link):
        return csv_safe(value.text)
    if isinstance(value, str):
        return csv_safe(value)
    return str(value)  # a number: never a formula, and "-0.5" must stay a number


def write_flags_csv(document: Mapping[str, Any], out: BinaryIO | Path) -> None:
    """Write the flags of ``document`` as CSV to ``out``."""
    if isinstance(out, Path):
        with out.open("wb") as handle:
            _write_csv(document, handle)
    else:
        _write_csv(document, out)


def _write_csv(document: Mapping[str, Any], out: BinaryIO) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        csv.writer(text).writerows(flag_rows(document))
        text.flush()
    finally:
        text.detach()  # leave the caller's stream open


def to_json(document: Mapping[str, Any]) -> str:
    """The document as readable JSON (non-ASCII kept as is)."""
    return json.dumps(document, ensure_ascii=False, indent=2)


def write_json(document: Mapping[str, Any], out: BinaryIO | Path) -> None:
    """Write the document as UTF-8 JSON to ``out``."""
    data = to_json(document).encode("utf-8")
    if isinstance(out, Path):
        out.write_bytes(data)
    else:
        out.write(data)
