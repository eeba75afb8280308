"""Uploaded bytes to header rows and cell rows: .xlsx, CSV text and JSON.

Readers know nothing of shipments: they find each sheet's header row, give
every column a unique header and hand back the cells with their row numbers
as the uploader's spreadsheet program shows them. They refuse, with one clear
:class:`~screening.errors.InvalidInput` each, what is not a readable table:
an empty file, a legacy .xls, a PDF, binary garbage, text with NUL bytes. They
enforce the limits they are given with
:class:`~screening.errors.PayloadTooLarge`: the row count, and for workbooks
the unpacked size, checked on the zip directory before anything is unpacked.

Workbooks are opened with openpyxl in read-only mode with ``data_only=True``:
a formula cell gives the result Excel saved with the file and is never
evaluated here. A formula without a saved result (a file written by a program
and never opened in Excel) is reported instead of being read as empty.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePath

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from screening.errors import InvalidInput, PayloadTooLarge
from screening.intake.normalize import cell_text

MB = 1024 * 1024
DEFAULT_MAX_UNPACKED_BYTES = 200 * MB
DEFAULT_MAX_RATIO = 100
# Small zip entries compress arbitrarily well (a sheet of one repeated row); a
# bomb needs size, so the ratio rule only looks at entries bigger than this.
_RATIO_MIN_BYTES = 1 * MB

# Leading bytes of files people upload by mistake, with what to tell them.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy .xls workbook or a password-protected file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)
_ZIP_MAGIC = b"PK\x03\x04"
_ACCEPTED = "upload an .xlsx workbook, a CSV file or JSON rows"
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


@dataclass(frozen=True, slots=True)
class RawRow:
    """One non-empty data row: its number as the sheet shows it and its cells by column."""

    row: int
    cells: tuple[object, ...]  # aligned with RawSheet.headers


@dataclass(slots=True)
class RawSheet:
    """One table: unique headers, the data rows below them, and what the reader noticed."""

    name: str | None  # None for CSV and JSON
    header_row: int
    headers: tuple[str, ...]
    rows: list[RawRow]
    # A ';'-separated CSV comes from continental Excel, which writes "1.234,50".
    decimal_comma: bool = False
    # (row, column index into headers, formula text) of formulas with no saved result.
    uncached_formulas: list[tuple[int, int, str]] = field(default_factory=list)
    # (row, message) for rows the reader could not take (JSON items that are no object).
    problems: list[tuple[int, str]] = field(default_factory=list)
    # For each header, the 0-based column of the source sheet it came from.
    columns_kept: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReadFile:
    format: str  # "xlsx", "csv" or "json"
    sheets: list[RawSheet]
    encoding: str | None = None
    delimiter: str | None = None


class _RowBudget:
    """Counts data rows across all sheets and stops at the limit."""

    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows
        self.used = 0

    def refund(self, rows: int) -> None:
        self.used -= rows

    def take(self) -> None:
        self.used += 1
        if self.used > self.max_rows:
            raise PayloadTooLarge(
                f"the file has more than {self.max_rows} data rows, the most one upload may have; "
                "split it into smaller files",
                max_rows=self.max_rows,
            )


def detect_format(data: bytes, filename: str) -> str:
    """The format of an upload ("xlsx", "csv" or "json"), judged by its first bytes, then its name.

    Raises:
        InvalidInput: the file is empty or is a known non-table format (.xls, PDF, image).
    """
    if not data.strip(b" \t\r\n\x1a") or data in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        raise InvalidInput("the file is empty")
    suffix = PurePath(filename or "").suffix.lower()
    if data.startswith(_ZIP_MAGIC):
        return "xlsx"
    for magic, label in _MAGIC:
        if data.startswith(magic):
            raise InvalidInput(f"the file is {label}, not a table we can read; {_ACCEPTED}")
    if suffix in (".xlsx", ".xlsm"):
        raise InvalidInput(f"{filename!r} is not a valid .xlsx workbook (not a zip archive)")
    if suffix == ".xls":
        raise InvalidInput(f"{filename!r} is not a legacy .xls file we could read; {_ACCEPTED}")
    if suffix == ".json":
        return "json"
    return "csv"


# --- xlsx -----------------------------------------------------------------------------


def inspect_zip(data: bytes, *, max_unpacked_bytes: int, max_ratio: float) -> bool:
    """Check a workbook's zip directory before unpacking; True when a sheet holds formulas.

    Python's zipfile never inflates an entry past the size its directory
    states, so checking the stated sizes bounds what openpyxl can unpack.

    Raises:
        InvalidInput: not a zip archive, or an encrypted one.
        PayloadTooLarge: the entries add up to more than ``max_unpacked_bytes``,
            or one expands more than ``max_ratio`` times (a zip bomb).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise InvalidInput("the file is not a valid .xlsx workbook (not a zip archive)") from None
    with archive:
        entries = archive.infolist()
        total = sum(entry.file_size for entry in entries)
        if total > max_unpacked_bytes:
            raise PayloadTooLarge(
                f"the workbook unpacks to {total / MB:.0f} MB, more than the "
                f"{max_unpacked_bytes / MB:.0f} MB allowed",
                unpacked_bytes=total,
            )
        for entry in entries:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size > _RATIO_MIN_BYTES and ratio > max_ratio:
                raise PayloadTooLarge(
                    f"workbook part {entry.filename!r} expands {ratio:.0f} times "
                    f"(more than {max_ratio:g}); refusing a possible zip bomb",
                    entry=entry.filename,
                )
            if entry.flag_bits & 0x1:
                raise InvalidInput("the workbook is encrypted; save it without a password")
        try:
            return any(
                _has_formula(archive, entry)
                for entry in entries
                if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml")
            )
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
            raise InvalidInput("the workbook is damaged (a part cannot be unpacked)") from None


def _has_formula(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(entry) as stream:
        while chunk := stream.read(MB):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-64:]  # a tag split across two chunks
    return False


def read_xlsx(
    data: bytes,
    *,
    max_rows: int,
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES,
    max_ratio: float = DEFAULT_MAX_RATIO,
) -> ReadFile:
    """Every non-empty worksheet of a workbook, each with its own header row.

    Raises:
        InvalidInput: not a readable workbook, or every sheet is empty.
        PayloadTooLarge: over the row limit or the unpacking limits.
    """
    has_formulas = inspect_zip(data, max_unpacked_bytes=max_unpacked_bytes, max_ratio=max_ratio)
    formulas = _formula_cells(data) if has_formulas else {}
    budget = _RowBudget(max_rows)
    sheets: list[RawSheet] = []
    with _openpyxl_guard():
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for index, worksheet in enumerate(workbook.worksheets):
                # The stored dimension is often wrong (some exporters write "A1"):
                # recompute it from the cells actually there.
                worksheet.reset_dimensions()
                rows = enumerate(worksheet.iter_rows(values_only=True), start=1)
                sheet = _build_sheet(worksheet.title, rows, budget, _letter_column)
                if sheet is not None:
                    _note_uncached(sheet, formulas.get(index, {}))
                    sheets.append(sheet)
        finally:
            workbook.close()
    if not sheets:
        raise InvalidInput("the workbook has no data: every sheet is empty")
    return ReadFile(format="xlsx", sheets=sheets)


def _formula_cells(data: bytes) -> dict[int, dict[tuple[int, int], str]]:
    """Formula text by sheet index and (row, 0-based column), read without cached values."""
    found: dict[int, dict[tuple[int, int], str]] = {}
    with _openpyxl_guard():
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            for index, worksheet in enumerate(workbook.worksheets):
                worksheet.reset_dimensions()
                cells = found.setdefault(index, {})
                for row, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                    for column, value in enumerate(values):
                        if isinstance(value, ArrayFormula | DataTableFormula):
                            cells[(row, column)] = str(getattr(value, "text", None) or "=…")
                        elif isinstance(value, str) and value.startswith("="):
                            # Text cells starting with "=" land here too; they keep
                            # their value in the data-only pass, so they are never flagged.
                            cells[(row, column)] = value
        finally:
            workbook.close()
    return found


def _note_uncached(sheet: RawSheet, formulas: dict[tuple[int, int], str]) -> None:
    if not formulas:
        return
    columns = sheet.columns_kept
    for raw in sheet.rows:
        for position, source_column in enumerate(columns):
            formula = formulas.get((raw.row, source_column))
            if formula is not None and raw.cells[position] is None:
                sheet.uncached_formulas.append((raw.row, position, formula))


@contextmanager
def _openpyxl_guard() -> Iterator[None]:
    """Silence openpyxl's warnings and turn any failure inside it into one InvalidInput.

    openpyxl raises a dozen exception types for damaged or foreign files
    (KeyError for a missing part, lxml errors, ValueError for bad cells); the
    uploader needs one message, never a stack trace. The cause stays chained
    for the log.
    """
    with warnings.catch_warnings():
        # openpyxl warns about features it drops (data validation, default
        # styles); they do not change cell values.
        warnings.simplefilter("ignore")
        try:
            yield
        except InvalidInput:
            raise
        except Exception as exc:
            raise InvalidInput(
                "could not read the workbook: the file is not a readable .xlsx workbook "
                f"({type(exc).__name__})"
            ) from exc


def _letter_column(index: int) -> str:
    return f"Column {get_column_letter(index + 1)}"


# --- shared: header row and unique headers --------------------------------------------------


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _build_sheet(
    name: str | None,
    rows: Iterable[tuple[int, Sequence[object]]],
    budget: _RowBudget,
    column_name: Callable[[int], str],
    *,
    decimal_comma: bool = False,
) -> RawSheet | None:
    """Find the header row and collect the data rows below it; None for an empty sheet.

    The header is the first row with at least two filled cells, so a title line
    above the table ("Shipments May 2024") is passed over; a sheet with no such
    row takes its first non-empty row.
    """
    header: tuple[int, list[object]] | None = None
    first_nonblank: tuple[int, list[object]] | None = None
    pending: list[tuple[int, list[object]]] = []  # rows after first_nonblank, before a header
    data: list[tuple[int, list[object]]] = []
    for number, values in rows:
        cells = [None if _is_blank(v) else v for v in values]
        while cells and cells[-1] is None:
            cells.pop()
        if not cells:
            continue
        if header is None:
            if len([c for c in cells if c is not None]) >= 2:
                header = (number, cells)
                budget.refund(len(pending))  # title lines above the header are no data
                pending = []
            elif first_nonblank is None:
                first_nonblank = (number, cells)
            else:
                budget.take()
                pending.append((number, cells))
            continue
        budget.take()
        data.append((number, cells))
    if header is None:
        if first_nonblank is None:
            return None
        header, data = first_nonblank, pending
    header_row, header_cells = header
    width = max([len(header_cells), *(len(cells) for _, cells in data)])
    used = [any(i < len(cells) and cells[i] is not None for _, cells in data) for i in range(width)]
    headers: list[str] = []
    kept: list[int] = []
    seen: Counter[str] = Counter()
    for i in range(width):
        text = " ".join(cell_text(header_cells[i]).split()) if i < len(header_cells) else ""
        if not text:
            if not used[i]:
                continue  # an empty column between tables or a stray border
            text = column_name(i)
        seen[text.casefold()] += 1
        if seen[text.casefold()] > 1:
            text = f"{text} ({seen[text.casefold()]})"
        headers.append(text)
        kept.append(i)
    raw_rows = [
        RawRow(row=number, cells=tuple(cells[i] if i < len(cells) else None for i in kept))
        for number, cells in data
    ]
    return RawSheet(
        name=name,
        header_row=header_row,
        headers=tuple(headers),
        rows=raw_rows,
        decimal_comma=decimal_comma,
        columns_kept=kept,
    )


# --- CSV ----------------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
_DELIMITERS = (",", ";", "\t", "|")


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of an upload and the encoding it was read in.

    A byte-order mark decides (UTF-8, UTF-16, UTF-32); otherwise UTF-8 is
    tried, then Windows-1252 (what Excel writes for "CSV" on Western
    European Windows), then Latin-1.

    Raises:
        InvalidInput: NUL bytes, or so many control characters that the file is binary.
    """
    text: str | None = None
    encoding = ""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                raise InvalidInput(
                    f"the file starts with a {label} byte-order mark but is not valid {label} text"
                ) from None
            encoding = label
            break
    if text is None:
        if b"\x00" in data:
            raise InvalidInput(_NUL_MESSAGE)
        for codec in ("utf-8", "cp1252", "latin-1"):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            encoding = codec
            break
    assert text is not None  # latin-1 decodes any bytes
    if "\x00" in text:
        raise InvalidInput(_NUL_MESSAGE)
    # OFAC-style files end with a Ctrl-Z; it is no content.
    text = text.rstrip("\x1a")
    controls = len(_CONTROL_CHARS.findall(text))
    if controls > max(2, len(text) // 200):
        raise InvalidInput(f"the file is binary data, not a table we can read; {_ACCEPTED}")
    if not text.strip():
        raise InvalidInput("the file is empty")
    return text, encoding


# C0 and C1 control characters other than tab and line ends: rare in any real text.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NUL_MESSAGE = (
    "the file contains NUL bytes, so it is binary data and not CSV text "
    "(or UTF-16 text without a byte-order mark); save it as 'CSV UTF-8'"
)


def sniff_delimiter(text: str) -> str:
    """The delimiter among , ; tab | that splits the first lines into the most consistent table."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    best: tuple[float, int, int] = (0.0, 0, 0)
    chosen = ","
    for rank, delimiter in enumerate(_DELIMITERS):
        try:
            rows = [
                r
                for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
                if any(cell.strip() for cell in r)
            ][:50]
        except csv.Error:
            continue
        if not rows:
            continue
        widths = Counter(len(r) for r in rows)
        width, count = max(widths.items(), key=lambda item: (item[1], item[0]))
        if width < 2:
            continue
        # Most rows of one width wins, then the wider table, then the list order.
        score = (count / len(rows), width, -rank)
        if score > best:
            best, chosen = score, delimiter
    return chosen


def read_csv(data: bytes, *, max_rows: int) -> ReadFile:
    """A CSV (or TSV) upload as one table; row numbers count records as a spreadsheet would.

    Raises:
        InvalidInput: empty, binary, NUL bytes, or malformed CSV.
        PayloadTooLarge: more than ``max_rows`` data rows.
    """
    text, encoding = decode_text(data)
    # Excel honours a first line "sep=;" and hides it; so do we.
    first_line, _, rest = text.partition("\n")
    sep = re.fullmatch(r"sep=(.)", first_line.strip().strip('"'))
    if sep is not None:
        text, delimiter = rest, sep.group(1)
    else:
        delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def records() -> Iterable[tuple[int, Sequence[object]]]:
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise InvalidInput(
                f"the CSV file is malformed near line {reader.line_num}: {exc}"
            ) from None

    sheet = _build_sheet(
        None,
        records(),
        _RowBudget(max_rows),
        lambda i: f"Column {i + 1}",
        decimal_comma=delimiter == ";",
    )
    if sheet is None:
        raise InvalidInput("the file is empty")
    return ReadFile(format="csv", sheets=[sheet], encoding=encoding, delimiter=delimiter)


# --- JSON ---------------------------------------------------------------------------------


def load_json(data: bytes) -> list[object]:
    """The rows of a JSON upload: a list of objects, or ``{"rows": [...]}``.

    Raises:
        InvalidInput: not JSON, or no list of rows.
    """
    text, _ = decode_text(data)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"the file is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if isinstance(document, dict):
        document = document.get("rows", document.get("shipments"))
    if not isinstance(document, list):
        raise InvalidInput('JSON rows must be a list of objects (or {"rows": [...]})')
    return document


def sheet_from_json_rows(rows: Sequence[object], *, max_rows: int) -> RawSheet:
    """JSON rows as one table: headers are the keys in order of first use.

    Row numbers are the 1-based index + 1, as if a header row preceded them.
    Items that are not objects are noted as problems and left out.

    Raises:
        InvalidInput: no rows.
        PayloadTooLarge: more than ``max_rows`` rows.
    """
    if not rows:
        raise InvalidInput("there are no rows to read")
    if len(rows) > max_rows:
        raise PayloadTooLarge(
            f"{len(rows)} rows were sent, more than the {max_rows} one request may have",
            max_rows=max_rows,
        )
    headers: dict[str, None] = {}
    objects: list[tuple[int, dict[str, object]]] = []
    problems: list[tuple[int, str]] = []
    for index, item in enumerate(rows):
        number = index + 2
        if not isinstance(item, dict):
            problems.append((number, f"row is a {type(item).__name__}, not an object: not read"))
            continue
        row = {str(k): v for k, v in item.items()}
        headers.update(dict.fromkeys(row))
        objects.append((number, row))
    keys = tuple(headers)
    return RawSheet(
        name=None,
        header_row=1,
        headers=keys,
        rows=[
            RawRow(row=number, cells=tuple(row.get(k) for k in keys))
            for number, row in objects
            if any(not _is_blank(v) for v in row.values())
        ],
        problems=problems,
        columns_kept=list(range(len(keys))),
    )
