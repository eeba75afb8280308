"""Builders for the files intake tests upload: workbooks, zips, CSV bytes."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Mapping, Sequence

import openpyxl


def workbook(sheets: Mapping[str, Sequence[Sequence[object]]]) -> bytes:
    """An .xlsx file with one sheet per entry, rows written as given (openpyxl semantics:
    a str starting with "=" becomes a formula)."""
    book = openpyxl.Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def text_cells(data: bytes, sheet: str, cells: Mapping[str, str]) -> bytes:
    """The workbook with the given cells set to literal text, even text starting with "="."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    for coordinate, text in cells.items():
        cell = book[sheet][coordinate]
        cell.value = text
        cell.data_type = "s"  # written as a string, not a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def replace_part(data: bytes, name: str, edit: Callable[[bytes], bytes]) -> bytes:
    """The zip with one part's bytes passed through ``edit``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == name:
                content = edit(content)
            target.writestr(info.filename, content)
    return out.getvalue()


def zip_bomb(unpacked_bytes: int) -> bytes:
    """A zip laid out like a workbook whose sheet XML repeats one row to ``unpacked_bytes``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            row = b'<row><c t="inlineStr"><is><t>GTLK ASIA LIMITED</t></is></c></row>' * 16384
            written = 0
            while written < unpacked_bytes:
                sheet.write(row)
                written += len(row)
    return out.getvalue()


def csv_bytes(rows: Sequence[Sequence[str]], *, delimiter: str, encoding: str) -> bytes:
    """CSV text as Excel writes it: CRLF line ends, quotes where needed, the given encoding."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)
