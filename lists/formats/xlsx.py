"""Reading the rows of an official list published as an Excel workbook."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from screening.errors import ListFormatError


def read_rows(path: Path, sheet: str | None = None) -> Iterator[tuple[object, ...]]:
    """Yield the cell values of each row of ``sheet`` (the first sheet when None).

    The workbook is read in openpyxl's streaming (read-only) mode, so a list
    of tens of thousands of rows takes seconds and little memory.

    Raises:
        ListFormatError: the file is not an xlsx workbook or has no such sheet.
    """
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise ListFormatError(f"{path.name}: not an Excel (xlsx) workbook ({exc})") from exc
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise ListFormatError(
                f"{path.name}: no sheet {sheet!r} (sheets: {', '.join(workbook.sheetnames)})"
            )
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        for row in worksheet.iter_rows(values_only=True):
            yield tuple(row)
    finally:
        workbook.close()
