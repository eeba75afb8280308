"""The Excel risk report: a screening result document in, one .xlsx workbook out.

:func:`write_report` writes the sheets Summary, Shipments, Flags, Input errors
(when there are any), Claims, Lists and Rules, laid out by
:mod:`reports.columns`. It uses XlsxWriter in ``constant_memory`` mode: rows
stream to temporary files as they are written, so a 100,000-row report needs
little memory and about the time of an unformatted pandas export (see
``benchmarks/report_bench.py``); XlsxWriter also writes hyperlinks and charts
natively.

Safety: every value from an input file or a list is written with
``write_string``, so a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab
or a line break is text, never a formula, and shows exactly as given.
Characters XML forbids are replaced with U+FFFD, a carriage return becomes a
line feed (Excel's line break; XML readers turn a raw CR into LF anyway), and
text over Excel's 32,767-character cell limit is cut with a note.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from reports import columns as layout
from reports.columns import (
    CellValue,
    Column,
    CountRecord,
    Doc,
    FlagRecord,
    Link,
    OriginalKey,
    RuleRecord,
    ShipmentRecord,
)

R = TypeVar("R")

MAX_CELL_CHARS = 32_767  # Excel's limit, in UTF-16 code units
MAX_LINKS_PER_SHEET = 65_530  # Excel's limit; later links are written as plain text
MAX_URL_CHARS = 2_079  # Excel's limit for a hyperlink address
# Printed, a sheet is scaled to fit this many width units per page across (about two
# thirds of full size on A4 landscape), the frozen columns repeating on each page.
PRINT_PAGE_WIDTH = 200
WIDTH_SAMPLE_ROWS = 1_000  # original-column widths are measured on the first rows only

# XML 1.0 forbids C0 controls other than tab, LF and CR, lone surrogates, U+FFFE and U+FFFF.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def clean_text(text: str) -> str:
    """``text`` as an Excel cell can hold it (see the module docstring)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ILLEGAL_XML.sub("\ufffd", text)
    # A string of n code points is n to 2n UTF-16 units: only long ones need counting.
    if len(text) > MAX_CELL_CHARS // 2 and _utf16_len(text) > MAX_CELL_CHARS:
        note = " [cut: longer than an Excel cell holds]"
        limit = MAX_CELL_CHARS - len(note)
        while (excess := _utf16_len(text) - limit) > 0:
            text = text[: len(text) - excess]  # drops at least `excess` units
        text += note
    return text


def text_lines(text: str, width: float) -> int:
    """About how many lines ``text`` wraps to in a column ``width`` characters wide.

    Neither LibreOffice nor every Excel version fits row heights to wrapped text
    on opening a file, so the writer sets them. Prose of 10-point text runs at
    about 1.3 characters per width unit (the width of "0" in 11-point Calibri);
    1.2 leaves room for word-wrap losses and capitals: a little too tall beats
    cut-off text.
    """
    per_line = max(1, int(width * 1.2))
    return sum(-(-len(part) // per_line) or 1 for part in text.split("\n"))


def row_height(lines: int) -> float:
    """Points for ``lines`` lines of 10-point text, within Excel's 409-point maximum.

    14 points a line suits Calibri and the fonts LibreOffice puts in its place.
    """
    return min(409.0, 14.0 * lines + 3.0)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """A valid, unused Excel sheet name close to ``name``.

    Excel forbids ``[ ] : * ? / \\``, a leading or trailing apostrophe, the
    name "History", and more than 31 characters; names are compared without case.
    """
    base = _SHEET_FORBIDDEN.sub("_", clean_text(name)).strip("'").strip() or "Sheet"
    if base.casefold() == "history":
        base += "_"
    base = base[:31].rstrip("'")
    used = {t.casefold() for t in taken}
    candidate, n = base, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    return candidate


def write_report(document: Mapping[str, Any], out: BinaryIO | Path) -> None:
    """Write the Excel risk report of a screening result document to ``out``.

    A path is written whole or not at all (through a temporary sibling file).
    """
    if isinstance(out, Path):
        partial = out.with_name(out.name + ".part")
        try:
            _write(document, str(partial))
            os.replace(partial, out)
        finally:
            partial.unlink(missing_ok=True)
    else:
        _write(document, out)


def _write(document: Mapping[str, Any], target: str | BinaryIO) -> None:
    workbook = xlsxwriter.Workbook(
        target,
        {
            # Stream rows to temporary files instead of holding every cell in memory.
            "constant_memory": True,
            # Only write_string/write_number/write_url are called; these keep write() from
            # ever guessing a formula, a number or a link from text, should it be used.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    _Report(workbook, document).write()
    workbook.close()


# -- a first pass over the document ------------------------------------------------------------


@dataclass
class _Survey:
    """What the Summary and the sheet layouts need before any row is written."""

    verdicts: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    code_rules: dict[str, str] = field(default_factory=dict)
    rule_flags: Counter[str] = field(default_factory=Counter)
    item_lists: set[str] = field(default_factory=set)
    headers: dict[OriginalKey, None] = field(default_factory=dict)  # ordered set
    widths: dict[OriginalKey, int] = field(default_factory=dict)

    @classmethod
    def of(cls, shipments: Sequence[Doc]) -> _Survey:
        survey = cls()
        for n, shipment in enumerate(shipments):
            survey.verdicts[str(shipment.get("verdict"))] += 1
            for flag in shipment.get("flags") or ():
                code = str(flag.get("code"))
                survey.codes[code] += 1
                survey.code_rules.setdefault(code, str(flag.get("rule")))
                survey.rule_flags[str(flag.get("rule"))] += 1
                if layout.is_item_flag(flag):
                    survey.item_lists.add(str((flag.get("details") or {}).get("list", "chpl")))
            cells = layout.original_cells(shipment)
            for key, value in cells.items():
                survey.headers.setdefault(key)
                if n < WIDTH_SAMPLE_ROWS:
                    longest = max(len(line) for line in value.split("\n"))
                    survey.widths[key] = max(survey.widths.get(key, 0), longest)
        return survey


# -- the workbook --------------------------------------------------------------------------------


class _Report:
    """Writes one document into one workbook, sheet by sheet, rows top to bottom.

    ``constant_memory`` mode flushes a row once a later row is written, so every
    sheet here is written strictly in row order.
    """

    def __init__(self, workbook: Workbook, document: Doc) -> None:
        self.book = workbook
        self.doc = document
        self.run: Doc = document.get("run") or {}
        self.shipments: Sequence[Doc] = document.get("shipments") or ()
        self.errors: Sequence[Doc] = document.get("errors") or ()
        self.claims: Sequence[Doc] = document.get("claims") or ()
        self.survey = _Survey.of(self.shipments)
        self.names: dict[str, str] = {}
        # The row (1-based, as Excel shows it) of each claim on the Claims sheet.
        self.claim_rows: dict[str, int] = {}
        for n, claim in enumerate(self.claims):
            self.claim_rows.setdefault(str(claim.get("id")), n + 2)
        self.links: Counter[str] = Counter()
        self._formats()

    # formats

    def _formats(self) -> None:
        add = self.book.add_format
        base = {"valign": "top", "font_size": 10}
        self.f_text = add(base)
        self.f_wrap = add({**base, "text_wrap": True})
        self.f_int = add({**base, "num_format": "0"})
        self.f_dec = add({**base, "num_format": "0.000"})
        self.f_left = add({**base, "align": "left"})
        self.f_link = add({**base, "font_color": "#0563C1", "underline": 1})
        self.f_link_wrap = add({**base, "font_color": "#0563C1", "underline": 1, "text_wrap": True})
        self.f_head = add(
            {**base, "bold": True, "text_wrap": True, "bg_color": "#D9E1F2", "bottom": 1}
        )
        self.f_title = add({"bold": True, "font_size": 14})
        self.f_section = add({"bold": True, "font_size": 11})
        self.f_label = add({**base, "bold": True})
        self.f_verdict = {
            verdict: add({**base, "bold": True, "bg_color": fill, "font_color": font})
            for verdict, (fill, font) in layout.VERDICT_COLOURS.items()
        }

    def _format(self, column: Column[Any]) -> Format:
        if column.kind == "integer":
            return self.f_int
        if column.kind == "decimal":
            return self.f_dec
        if column.kind == "link":
            return self.f_link_wrap if column.wrap else self.f_link
        return self.f_wrap if column.wrap else self.f_text

    # sheets

    def sheet(self, name: str) -> Worksheet:
        """Add a sheet named ``name`` (made valid and unique)."""
        real = sheet_name(name, self.names.values())
        self.names[name] = real
        ws = self.book.add_worksheet(real)
        # Original cells are text by design ("00123", "1,200"): no "number stored as text" marks.
        ws.ignore_errors({"number_stored_as_text": "A1:XFD1048576"})
        ws.set_landscape()
        ws.set_paper(9)  # A4
        return ws

    def write(self) -> None:
        self.write_summary(self.sheet(layout.SUMMARY))
        headers = tuple(self.survey.headers)
        shipment_columns = layout.SHIPMENT_COLUMNS + layout.original_columns(
            headers, self.survey.widths
        )
        self.table(
            self.sheet(layout.SHIPMENTS),
            shipment_columns,
            (ShipmentRecord(s, layout.original_cells(s)) for s in self.shipments),
            frozen_columns=layout.SHIPMENT_FROZEN_COLUMNS,
        )
        self.table(
            self.sheet(layout.FLAGS),
            layout.FLAG_COLUMNS,
            (FlagRecord(s, f) for s in self.shipments for f in s.get("flags") or ()),
            frozen_columns=layout.FLAG_FROZEN_COLUMNS,
        )
        if self.errors:
            self.table(self.sheet(layout.ERRORS), layout.ERROR_COLUMNS, self.errors, fit_width=True)
        self.table(self.sheet(layout.CLAIMS), layout.CLAIM_COLUMNS, self.claims)
        self.table(
            self.sheet(layout.LISTS),
            layout.LIST_COLUMNS,
            layout.list_rows(self.doc, self.survey.item_lists),
            fit_width=True,
        )
        rules = [
            RuleRecord(r, self.survey.rule_flags[str(r.get("id"))])
            for r in self.run.get("rules") or ()
        ]
        self.table(self.sheet(layout.RULES), layout.RULE_COLUMNS, rules, fit_width=True)

    def table(
        self,
        ws: Worksheet,
        columns: Sequence[Column[R]],
        records: Iterable[R],
        *,
        first_row: int = 0,
        frozen_columns: int = 0,
        fit_width: bool = False,
        frozen: bool = True,
    ) -> int:
        """Write a header and one row per record from ``first_row``; the last row written."""
        formats = [self._format(c) for c in columns]
        if first_row == 0:
            for col, column in enumerate(columns):
                ws.set_column(col, col, column.width)
        # Bold headers are about a tenth wider than body text.
        header_lines = max(text_lines(c.title, c.width / 1.1) for c in columns)
        if header_lines > 1:
            ws.set_row(first_row, row_height(header_lines))
        for col, column in enumerate(columns):
            ws.write_string(first_row, col, clean_text(column.title), self.f_head)
        wrapped = [(col, column.width) for col, column in enumerate(columns) if column.wrap]
        row = first_row
        for record in records:
            row += 1
            values = [column.value(record) for column in columns]
            lines = 1
            for col, width in wrapped:
                value = values[col]
                text = value.text if isinstance(value, Link) else value
                if isinstance(text, str) and text:
                    lines = max(lines, text_lines(text, width))
            if lines > 1:  # set before the row's cells: constant_memory writes rows as it goes
                ws.set_row(row, row_height(lines))
            for col, value in enumerate(values):
                if value is not None and value != "":  # an empty original cell stays empty
                    self.cell(ws, row, col, value, columns[col], formats[col])
        if frozen:
            ws.freeze_panes(first_row + 1, frozen_columns)
            ws.autofilter(first_row, 0, row, len(columns) - 1)
            ws.repeat_rows(first_row)
            if frozen_columns:
                ws.repeat_columns(0, frozen_columns - 1)
        if fit_width:
            ws.fit_to_pages(1, 0)
        else:
            ws.fit_to_pages(math.ceil(sum(c.width for c in columns) / PRINT_PAGE_WIDTH), 0)
        return row

    def cell(
        self, ws: Worksheet, row: int, col: int, value: CellValue, column: Column[Any], fmt: Format
    ) -> None:
        if isinstance(value, str):
            if column.kind == "verdict":
                fmt = self.f_verdict.get(value, fmt)
            elif column.kind == "link":  # a link column's value with nothing to link to
                fmt = self.f_wrap if column.wrap else self.f_text
            ws.write_string(row, col, clean_text(value), fmt)
        elif isinstance(value, bool):
            ws.write_string(row, col, str(value), fmt)
        elif isinstance(value, int | float):
            if math.isfinite(value):
                ws.write_number(row, col, value, fmt)
            else:
                ws.write_string(row, col, str(value), fmt)
        elif isinstance(value, Link):
            self.link(ws, row, col, value, column.wrap)
        else:  # a stray type in the document: show it, never fail the report on it
            ws.write_string(row, col, clean_text(str(value)), fmt)

    def link(self, ws: Worksheet, row: int, col: int, link: Link, wrap: bool) -> None:
        """A hyperlinked cell; plain text when there is no valid target or Excel's limit is hit."""
        text = clean_text(link.text)
        target = None
        if link.url is not None:
            if layout.is_web_url(link.url) and _utf16_len(link.url) <= MAX_URL_CHARS:
                target = link.url
        elif link.claim_id is not None:
            claim_row = self.claim_rows.get(link.claim_id)
            if claim_row is not None:
                target = f"internal:{self.ref(layout.CLAIMS)}!A{claim_row}"
        elif link.sheet is not None and link.sheet in self._planned():
            target = f"internal:{self.ref(link.sheet)}!A1"
        if target is not None and self.links[ws.name] < MAX_LINKS_PER_SHEET:
            self.links[ws.name] += 1
            ws.write_url(row, col, target, self.f_link_wrap if wrap else self.f_link, string=text)
        else:
            ws.write_string(row, col, text, self.f_wrap if wrap else self.f_text)

    def _planned(self) -> set[str]:
        """Sheets written after the Summary, which links to them."""
        planned = {layout.SHIPMENTS, layout.FLAGS, layout.CLAIMS, layout.LISTS, layout.RULES}
        if self.errors:
            planned.add(layout.ERRORS)
        return planned

    def ref(self, name: str) -> str:
        return str(quote_sheetname(self.names.get(name, sheet_name(name))))

    # Summary

    def write_summary(self, ws: Worksheet) -> None:
        """Run facts as label and value, the counts with charts, then the list versions."""
        widths = (32, 62, 14, 20, 10, 30, 10)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        ws.set_row(0, 20)
        ws.write_string(0, 0, "Sanctions and export-control screening report", self.f_title)
        row = 2
        for column in layout.SUMMARY_FIELDS:
            value = column.value(self.doc)
            if isinstance(value, str) and column.wrap:
                lines = text_lines(value, widths[1])
                if lines > 1:
                    ws.set_row(row, row_height(lines))
            ws.write_string(row, 0, column.title, self.f_label)
            if value is not None:
                # Numbers sit left, beside their label, not at the far edge of the wide column.
                fmt = self.f_left if isinstance(value, int | float) else self._format(column)
                self.cell(ws, row, 1, value, column, fmt)
            row += 1
        chart_top = 2
        row = max(row, chart_top + 16) + 1  # below the charts beside the facts

        ws.write_string(row, 0, "Shipments by verdict", self.f_section)
        counts = self.run.get("counts") or self.survey.verdicts
        verdicts = [
            CountRecord(v, layout.VERDICT_MEANINGS[v], int(counts.get(v, 0)))
            for v in layout.VERDICTS
        ]
        start = row + 1
        row = self.table(ws, layout.VERDICT_TABLE, verdicts, first_row=start, frozen=False)
        self._verdict_chart(ws, start + 1, row, chart_top, max(r.total for r in verdicts))

        row += 2
        ws.write_string(row, 0, "Flags by reason code", self.f_section)
        titles = {str(r.get("id")): str(r.get("title")) for r in self.run.get("rules") or ()}
        reasons = [
            CountRecord(code, titles.get(self.survey.code_rules[code], ""), n)
            for code, n in sorted(self.survey.codes.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        if reasons:
            start = row + 1
            row = self.table(ws, layout.REASON_TABLE, reasons, first_row=start, frozen=False)
            self._reason_chart(ws, start + 1, row, chart_top, reasons[0].total)
        else:
            row += 1
            ws.write_string(row, 0, "No flags were raised.", self.f_text)

        row += 2
        ws.write_string(row, 0, "List versions used", self.f_section)
        self.table(
            ws,
            layout.SUMMARY_LIST_COLUMNS,
            self.run.get("list_versions") or (),
            first_row=row + 1,
            frozen=False,
        )
        ws.fit_to_pages(1, 0)

    def _verdict_chart(self, ws: Worksheet, first: int, last: int, top: int, most: int) -> None:
        chart = self.book.add_chart({"type": "column"})
        assert chart is not None
        chart.add_series(
            {
                "name": "Shipments",
                "categories": [ws.name, first, 0, last, 0],
                "values": [ws.name, first, 2, last, 2],
                "points": [
                    {"fill": {"color": layout.VERDICT_COLOURS[v][0]}} for v in layout.VERDICTS
                ],
                "data_labels": {"value": True},
            }
        )
        chart.set_title({"name": "Shipments by verdict"})
        chart.set_legend({"none": True})
        chart.set_y_axis(_count_axis(most))
        chart.set_size({"width": 420, "height": 300})
        ws.insert_chart(top, 2, chart, {"x_offset": 10})

    def _reason_chart(self, ws: Worksheet, first: int, last: int, top: int, most: int) -> None:
        chart = self.book.add_chart({"type": "bar"})
        assert chart is not None
        chart.add_series(
            {
                "name": "Flags",
                "categories": [ws.name, first, 0, last, 0],
                "values": [ws.name, first, 2, last, 2],
                "data_labels": {"value": True},
                "fill": {"color": "#4472C4"},
            }
        )
        chart.set_title({"name": "Flags by reason code"})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})  # the most frequent code on top, as in the table
        chart.set_x_axis(_count_axis(most))
        chart.set_size({"width": 520, "height": 300})
        ws.insert_chart(top, 2, chart, {"x_offset": 440})  # right of the verdict chart


def _count_axis(top: int) -> dict[str, Any]:
    """A value axis for counts up to ``top``: from 0, whole steps of 1, 2 or 5 times 10^n."""
    step = 1
    while top / step > 6:  # at most about six gridlines
        step = next(step * f for f in (2, 5, 10) if top / (step * f) <= 6 or f == 10)
    return {"min": 0, "major_unit": step, "num_format": "0"}
