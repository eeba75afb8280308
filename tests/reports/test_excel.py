"""The Excel risk report, written from a real-rules document and read back with openpyxl."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.workbook import Workbook

from reports import excel
from reports.columns import VERDICT_COLOURS
from reports.excel import clean_text, sheet_name, write_report
from screening.core.claims import get_claim
from screening.core.items import load_chpl
from screening.core.rules import RULES
from screening.core.shipments import RowError
from screening.services.index import ListIndex
from screening.services.screening import screen_shipments
from screening.settings import Settings
from tests.reports.conftest import ROWS, records
from tests.reports.factory import FORMULA_LIKE, document, row

# -- structure --------------------------------------------------------------------------------


def test_sheets_in_reading_order(book: Workbook) -> None:
    assert book.sheetnames == [
        "Summary",
        "Shipments",
        "Flags",
        "Input errors",
        "Claims",
        "Lists",
        "Rules",
    ]


def test_flags_sheet_has_one_row_per_flag_with_the_match_columns(
    book: Workbook, doc: dict[str, Any]
) -> None:
    flags = records(book["Flags"])
    assert len(flags) == sum(len(s["flags"]) for s in doc["shipments"]) == 13
    assert {
        "Row",
        "Sheet",
        "Shipment id",
        "Role",
        "Party as given",
        "Matched listed name",
        "Entity id",
        "List",
        "Programs",
        "Score",
        "Explanation",
        "Reason code",
        "Severity",
        "Finding",
        "Claims",
        "Legal basis",
    } <= set(flags[0])
    listed = [f for f in flags if f["Reason code"].value == "PARTY_LISTED"]
    assert [f["Party as given"].value for f in listed] == [
        n.replace("\r", "\n") for n in FORMULA_LIKE[1:]
    ]
    first = listed[0]
    assert (first["Row"].value, first["Sheet"].value, first["Shipment id"].value) == (
        3,
        "May",
        "S-3",
    )
    assert first["Role"].value == "Consignee"
    assert first["Matched listed name"].value == "AL NASER AIRLINES"
    assert first["Entity id"].value == "us_bis_dpl:3edebabffc55"
    assert (first["List"].value, first["Programs"].value) == ("us_bis_dpl", "DPL")
    assert first["Score"].value == pytest.approx(0.97)
    assert first["Severity"].value == "blocked"


def test_every_flag_has_a_citation(book: Workbook) -> None:
    for flag in records(book["Flags"]):
        assert flag["Claims"].value or flag["Legal basis"].value, flag["Finding"].value


# -- citations and links ------------------------------------------------------------------------


def _location(cell: Any) -> str:
    """Where an internal hyperlink points ("Claims!A5"), however the file spells it."""
    link = cell.hyperlink
    assert link is not None, f"{cell.coordinate} has no hyperlink"
    return str(link.location or link.target).lstrip("#")


def test_flag_claims_link_to_their_row_on_the_claims_sheet(book: Workbook) -> None:
    claims = book["Claims"]
    rows = {claims.cell(r, 1).value: r for r in range(2, claims.max_row + 1)}
    for flag in records(book["Flags"]):
        ids = flag["Claims"].value.split("\n")
        assert set(ids) <= set(rows), ids
        assert _location(flag["Claims"]) == f"Claims!A{rows[ids[0]]}"


def test_item_flag_cites_the_chpl_and_real_claims(book: Workbook) -> None:
    item = next(f for f in records(book["Flags"]) if f["Reason code"].value == "ITEM_HIGH_PRIORITY")
    ids = item["Claims"].value.split("\n")
    assert "bis-2024-02-23-common-high-priority-list" in ids
    assert "ft-2024-09-10-campbell-component-pieces" in ids
    chpl_url = load_chpl()[0].source_url
    assert item["Legal basis"].hyperlink.target == chpl_url


def test_party_flag_links_its_legal_basis(book: Workbook) -> None:
    listed = next(f for f in records(book["Flags"]) if f["Reason code"].value == "PARTY_LISTED")
    assert listed["Legal basis"].value == "80 FR 30435; 80 FR 44930"
    assert listed["Legal basis"].hyperlink.target == (
        "https://www.federalregister.gov/citation/80-FR-30435"
    )


def test_claims_sheet_quotes_the_registry_and_links_each_claim(
    book: Workbook, doc: dict[str, Any]
) -> None:
    claims = records(book["Claims"])
    assert [c["Claim id"].value for c in claims] == [c["id"] for c in doc["claims"]]
    by_id = {c["Claim id"].value: c for c in claims}
    for claim_id in (
        "ft-2024-09-10-campbell-component-pieces",
        "bis-2024-02-23-common-high-priority-list",
    ):
        registry = get_claim(claim_id)
        cells = by_id[claim_id]
        assert cells["Quote"].value == registry.quote
        assert cells["Claimant"].value == registry.claimant
        assert cells["Date"].value == registry.date
        assert cells["URL"].value == registry.url
        assert cells["URL"].hyperlink.target == registry.url
        assert cells["Verification"].value == registry.verification


# -- lists, rules, summary ----------------------------------------------------------------------


def test_lists_sheet_carries_each_sources_licence_and_attribution(book: Workbook) -> None:
    lists = {r["Source"].value: r for r in records(book["Lists"])}
    assert list(lists) == ["un_sc", "uk_fcdo", "eu_fsf", "us_bis_dpl", "chpl", "hs"]
    ogl = "Contains public sector information licensed under the Open Government Licence v3.0."
    assert lists["uk_fcdo"]["Attribution"].value == ogl
    assert lists["uk_fcdo"]["Licence"].value == "Open Government Licence v3.0"
    assert "Decision 2011/833/EU" in lists["eu_fsf"]["Licence"].value
    assert "United Nations" in lists["un_sc"]["Licence"].value
    assert lists["us_bis_dpl"]["Licence"].value.startswith("Public domain")
    assert lists["us_bis_dpl"]["As of"].value == "2023-11-16"
    assert lists["us_bis_dpl"]["Entries"].value == 544
    for source in ("un_sc", "uk_fcdo", "eu_fsf", "us_bis_dpl"):
        url = lists[source]["Official URL"]
        assert url.hyperlink.target == url.value
        assert url.value.startswith("https://")
    chpl = lists["chpl"]
    assert (chpl["As of"].value, chpl["Entries"].value) == ("2024-02-23", 50)
    assert chpl["Licence"].value.startswith("Public domain")
    assert chpl["Official URL"].hyperlink.target == load_chpl()[0].source_url
    assert "World Customs Organization" in lists["hs"]["Licence"].value
    assert "UN Comtrade" in lists["hs"]["Attribution"].value


def test_no_chpl_row_without_item_flags(index: ListIndex, tmp_path: Path) -> None:
    doc = document(ROWS[1:2], index.versions, listed=FORMULA_LIKE[1:2])
    write_report(doc, tmp_path / "r.xlsx")
    lists = records(openpyxl.load_workbook(tmp_path / "r.xlsx")["Lists"])
    assert [r["Source"].value for r in lists] == ["un_sc", "uk_fcdo", "eu_fsf", "us_bis_dpl"]


def test_rules_sheet_lists_each_rule_with_its_claims(book: Workbook) -> None:
    rules = records(book["Rules"])
    assert [r["Rule id"].value for r in rules] == [r.id for r in RULES]
    by_id = {r["Rule id"].value: r for r in rules}
    item = by_id["item.high_priority"]
    assert item["Claims"].value.split("\n") == list(
        next(r for r in RULES if r.id == "item.high_priority").claims
    )
    assert item["Flags in this report"].value == 4  # rows 2, 8, 9 and 10
    assert _location(item["Claims"]).startswith("Claims!A")


def _summary(book: Workbook) -> dict[str, Any]:
    ws = book["Summary"]
    return {str(ws.cell(r, 1).value): ws.cell(r, 2) for r in range(1, ws.max_row + 1)}


def test_summary_records_the_run(book: Workbook, doc: dict[str, Any]) -> None:
    summary = _summary(book)
    assert summary["Run id"].value == "run-0001"
    assert summary["Run by"].value == "officer@example.com"
    assert summary["Run at (UTC)"].value == "2024-06-03T09:15:00+00:00"
    assert summary["Input file"].value == "shipments-may.xlsx"
    assert summary["Input file SHA-256"].value == "5f" * 32
    assert summary["Rows screened"].value == 10
    assert summary["Input errors"].value == "1"
    assert _location(summary["Input errors"]) == "'Input errors'!A1"
    assert summary["Ruleset"].value == doc["run"]["ruleset"]
    assert summary["Alert threshold"].value == 0.8
    assert summary["Column mapping"].value == "Consignee → consignee\nHS code → hs_code"


def test_summary_counts_verdicts_and_reasons(book: Workbook) -> None:
    ws = book["Summary"]
    first = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Verdict")
    verdicts = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(first + 1, first + 6)}
    assert verdicts == {"blocked": 6, "high": 1, "medium": 1, "low": 1, "clear": 1}
    first = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Reason code")
    reasons = {}
    for r in range(first + 1, ws.max_row + 1):
        if not ws.cell(r, 1).value:
            break
        reasons[ws.cell(r, 1).value] = ws.cell(r, 3).value
    assert reasons == {
        "PARTY_LISTED": 5,
        "ITEM_HIGH_PRIORITY": 3,
        "ROUTE_HUB_HIGH_PRIORITY": 2,
        "ITEM_LISTED": 1,
        "RED_CONSIGNEE_COUNTRY_MISMATCH": 1,
        "ROUTE_SANCTIONED_DESTINATION": 1,
    }
    first = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Source")
    versions = [ws.cell(r, 1).value for r in range(first + 1, first + 5)]
    assert versions == ["un_sc", "uk_fcdo", "eu_fsf", "us_bis_dpl"]


def test_summary_has_two_charts(report: Path) -> None:
    with zipfile.ZipFile(report) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 2
        xml = "".join(archive.read(n).decode() for n in charts)
        drawing_rels = archive.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
    assert "<c:barChart>" in xml
    assert "Shipments by verdict" in xml and "Flags by reason code" in xml
    assert "drawing" in drawing_rels  # both charts sit on the Summary sheet


def test_input_errors_sheet(book: Workbook) -> None:
    [error] = records(book["Input errors"])
    assert (error["Row"].value, error["Sheet"].value, error["Field"].value) == (
        11,
        "May",
        "hs_code",
    )
    assert error["Message"].value.startswith("HS code '85A1'")


# -- shipments -----------------------------------------------------------------------------------


def test_shipments_keep_every_original_column(book: Workbook, doc: dict[str, Any]) -> None:
    ws = book["Shipments"]
    headers = [c.value for c in ws[1]]
    assert headers == [
        "Sheet",
        "Row",
        "Verdict",
        "Number of flags",
        "Top reasons",
        "HS description",
        "Shipment ID",
        "Consignee",
        "Consignee country",
        "Destination",
        "HS code",
        "Goods",
        "Incoterms",
    ]
    shipments = records(ws)
    assert len(shipments) == len(doc["shipments"])
    for cells, shipment in zip(shipments, doc["shipments"], strict=True):
        original = dict(shipment["shipment"]["original"])
        for header in map(str, headers[5:]):
            expected = original.get(header) or None  # an empty cell reads back as None
            assert cells[header].value == (expected and expected.replace("\r", "\n")), header
    june = shipments[-1]
    assert (june["Sheet"].value, june["Row"].value, june["Incoterms"].value) == ("June", 2, "FCA")
    assert june["Consignee"].value == "Завод Северный"
    assert shipments[0]["Incoterms"].value is None


def test_top_reasons_worst_first(book: Workbook, doc: dict[str, Any]) -> None:
    first = records(book["Shipments"])[0]
    reasons = first["Top reasons"].value.split("\n")
    assert len(reasons) == 3 and first["Number of flags"].value == 4
    assert reasons[0].startswith("The destination is in Russian Federation")  # the blocked flag
    assert reasons[1].startswith("High-priority goods 8542.31")  # the high one


def test_verdicts_are_filled_with_their_colour(book: Workbook) -> None:
    for sheet, column in (("Shipments", "Verdict"), ("Flags", "Severity")):
        seen = set()
        for cells in records(book[sheet]):
            cell = cells[column]
            fill, font = VERDICT_COLOURS[cell.value]
            assert cell.fill.fill_type == "solid"
            assert cell.fill.fgColor.rgb == "FF" + fill.lstrip("#")
            assert cell.font.color.rgb == "FF" + font.lstrip("#")
            seen.add(cell.value)
        assert seen == (
            {"blocked", "high", "medium", "low", "clear"}
            if sheet == "Shipments"
            else {"blocked", "high", "medium", "low"}
        )


def test_frozen_headers_and_autofilters(book: Workbook, doc: dict[str, Any]) -> None:
    # The filter covers the header and every data row; Sheet, Row and Verdict (or
    # Shipment id) stay in view on the wide sheets.
    expected = {
        "Shipments": ("D2", "A1:M11"),
        "Flags": ("D2", "A1:S14"),
        "Claims": ("A2", f"A1:J{len(doc['claims']) + 1}"),
        "Lists": ("A2", "A1:J7"),
        "Rules": ("A2", f"A1:D{len(RULES) + 1}"),
        "Input errors": ("A2", "A1:D2"),
    }
    for name, (pane, ref) in expected.items():
        assert (book[name].freeze_panes, book[name].auto_filter.ref) == (pane, ref), name


# -- safety ------------------------------------------------------------------------------------


def _sheet_xml(report: Path) -> dict[str, str]:
    with zipfile.ZipFile(report) as archive:
        return {
            n: archive.read(n).decode("utf-8")
            for n in archive.namelist()
            if n.startswith("xl/worksheets/sheet")
        }


@pytest.mark.parametrize("name", FORMULA_LIKE)
def test_formula_like_values_are_written_as_text(book: Workbook, name: str) -> None:
    # Excel shows a carriage return as nothing and XML readers turn a raw one into a
    # line feed, so the report writes line breaks as LF, Excel's own line break.
    shown = name.replace("\r", "\n")
    flag = next(f for f in records(book["Flags"]) if f["Party as given"].value == shown)
    shipment = next(s for s in records(book["Shipments"]) if s["Consignee"].value == shown)
    for cell in (flag["Party as given"], shipment["Consignee"]):
        assert cell.value == shown
        assert cell.data_type == "s"


def test_no_cell_is_a_formula(report: Path) -> None:
    for part, xml in _sheet_xml(report).items():
        assert not re.search(r"<f[ >]", xml), part
    # openpyxl reads the raw text back, which would be "=HYPERLINK(...)" either way; the
    # file itself must hold it as a string: no cell of type "str" (formula result) or <f>.
    book = openpyxl.load_workbook(report)
    for ws in book:
        for cells in ws.iter_rows():
            for cell in cells:
                assert cell.data_type != "f", (ws.title, cell.coordinate)


def test_characters_illegal_in_xml_are_replaced(index: ListIndex, tmp_path: Path) -> None:
    rows = [
        row(
            2,
            "Bad\x00name\x07Ltd\ufffe",
            country="DE",
            destination="DE",
            extra={"Notes": "line1\r\nline2\x1b"},
        )
    ]
    write_report(document(rows, index.versions), tmp_path / "r.xlsx")
    [shipment] = records(openpyxl.load_workbook(tmp_path / "r.xlsx")["Shipments"])
    assert shipment["Consignee"].value == "Bad\ufffdname\ufffdLtd\ufffd"
    assert shipment["Notes"].value == "line1\nline2\ufffd"


def test_text_beyond_the_cell_limit_is_cut_with_a_note() -> None:
    text = clean_text("x" * 40_000)
    assert len(text) == excel.MAX_CELL_CHARS
    assert text.endswith("[cut: longer than an Excel cell holds]")
    wide = clean_text("𝕏" * 20_000)  # two UTF-16 units each
    assert len(wide.encode("utf-16-le")) // 2 <= excel.MAX_CELL_CHARS


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Summary", "Summary"),
        ("Input [errors]: a/b\\c*d?", "Input _errors__ a_b_c_d_"),
        ("'quoted'", "quoted"),
        ("A very long sheet name that Excel will not accept", "A very long sheet name that Exc"),
        ("History", "History_"),
        ("", "Sheet"),
    ],
)
def test_sheet_names_are_made_valid(name: str, expected: str) -> None:
    assert sheet_name(name) == expected
    assert len(sheet_name(name)) <= 31


def test_sheet_names_are_made_unique() -> None:
    assert sheet_name("summary", ["Summary"]) == "summary (2)"
    assert sheet_name("x" * 40, ["x" * 31]) == "x" * 27 + " (2)"


def test_links_beyond_excels_limit_become_text(
    doc: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(excel, "MAX_LINKS_PER_SHEET", 3)
    write_report(doc, tmp_path / "r.xlsx")
    flags = records(openpyxl.load_workbook(tmp_path / "r.xlsx")["Flags"])
    linked = [c for f in flags for c in (f["Claims"], f["Legal basis"]) if c.hyperlink]
    assert len(linked) == 3
    assert all(f["Claims"].value for f in flags)  # the ids are still there as text


# -- output targets, empty results ---------------------------------------------------------------


def test_writes_to_a_stream(doc: dict[str, Any]) -> None:
    out = io.BytesIO()
    write_report(doc, out)
    assert openpyxl.load_workbook(io.BytesIO(out.getvalue())).sheetnames[0] == "Summary"


def test_a_path_is_written_whole(doc: dict[str, Any], tmp_path: Path) -> None:
    write_report(doc, tmp_path / "r.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]


def test_a_result_without_flags_or_errors(index: ListIndex, tmp_path: Path) -> None:
    doc = document(ROWS[-1:], index.versions)
    write_report(doc, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert "Input errors" not in book.sheetnames
    assert records(book["Flags"]) == []
    assert _summary(book)["Input errors"].value == 0
    assert "No flags were raised." in [c.value for c in book["Summary"]["A"]]


def test_a_bare_document_still_makes_a_report() -> None:
    out = io.BytesIO()
    write_report({}, out)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames == ["Summary", "Shipments", "Flags", "Claims", "Lists", "Rules"]
    assert _summary(book)["Rows screened"].value == 0


# -- a real screening, end to end ----------------------------------------------------------------


def test_a_real_dpl_match_in_the_report(index: ListIndex, tmp_path: Path) -> None:
    shipment = row(2, "Al Naser Airlines", country="IQ", destination="IQ")
    outcome = screen_shipments(
        [shipment],
        index,
        Settings(),
        input_name="may.csv",
        errors=[RowError(3, None, None, "empty row")],
    )
    write_report(outcome.document(), tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    flags = records(book["Flags"])
    top = next(f for f in flags if f["Matched listed name"].value == "AL NASER AIRLINES")
    assert top["Entity id"].value.startswith("us_bis_dpl:")
    assert top["Severity"].value == "blocked"
    assert top["Legal basis"].hyperlink.target.startswith("https://www.federalregister.gov/")
    assert records(book["Shipments"])[0]["Verdict"].value == "blocked"


# -- LibreOffice -----------------------------------------------------------------------------------


def test_libreoffice_converts_the_report_to_pdf(report: Path, tmp_path: Path) -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed")
    done = subprocess.run(
        [
            office,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / "report.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
