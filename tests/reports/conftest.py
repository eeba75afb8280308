"""Fixtures for report tests: one screening result document, its workbook read back.

The list versions are the real ones of the shared mirror (UK FCDO, EU FSF, UN SC,
BIS DPL), parsed once per session, so the Lists sheet shows each source's real
licence and attribution. The rows are screened by the real rules (see factory.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from reports.excel import write_report
from screening.core.shipments import RowError
from screening.services.index import ListIndex, build_from_mirror
from tests.reports.factory import FORMULA_LIKE, document, row

SOURCES = ("uk_fcdo", "eu_fsf", "un_sc", "us_bis_dpl")

ROWS = (
    # blocked: Tier 1 chips for Russia via a Hong Kong consignee whose name is a formula
    row(2, FORMULA_LIKE[0], country="HK", destination="RU", hs="8542.31", goods="Microprocessors"),
    # blocked: consignees the (stub) matcher finds on the Denied Persons List
    *(
        row(n, name, country="AE", destination="AE", goods="Wooden office chairs")
        for n, name in enumerate(FORMULA_LIKE[1:], start=3)
    ),
    # high: Tier 1 chips to a diversion hub
    row(8, "Kowloon Bay Electronics Ltd", country="HK", destination="HK", hs="8542.31"),
    # medium: Tier 1 chips to Germany
    row(9, "Helios Elektronik GmbH", country="DE", destination="DE", hs="8542.31"),
    # low: a Tier 4.A item to Germany
    row(10, "Nordwind Datentechnik GmbH", country="DE", destination="DE", hs="8471.80"),
    # clear, on another sheet, with a column the May sheet lacks and a Cyrillic name
    row(
        2,
        "Завод Северный",
        sheet="June",
        country="KZ",
        destination="KZ",
        goods="Office paper",
        extra={"Incoterms": "FCA"},
    ),
)

ERRORS = (
    RowError(
        row=11,
        sheet="May",
        field="hs_code",
        message="HS code '85A1' is not an HS code; the row was not screened",
    ),
)


@pytest.fixture(scope="session")
def index(lists_dir: Path) -> ListIndex:
    return build_from_mirror(lists_dir, list(SOURCES))


@pytest.fixture(scope="session")
def doc(index: ListIndex) -> dict[str, Any]:
    return document(ROWS, index.versions, listed=FORMULA_LIKE[1:], errors=ERRORS)


@pytest.fixture(scope="session")
def report(doc: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.xlsx"
    write_report(doc, path)
    return path


@pytest.fixture(scope="session")
def book(report: Path) -> Workbook:
    return openpyxl.load_workbook(report)


def records(ws: Worksheet, header_row: int = 1) -> list[dict[str, Any]]:
    """The rows under the header of ``ws``, as header -> cell (typed Any: a cell's value
    is whatever the file holds, and the tests assert what it is)."""
    headers = [c.value for c in ws[header_row]]
    rows = ws.iter_rows(min_row=header_row + 1)
    return [{str(h): c for h, c in zip(headers, cells, strict=False) if h} for cells in rows]
