"""The CSV (one row per flag) and JSON exports of a screening result."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from reports import to_json, write_flags_csv, write_json
from reports.columns import FLAG_COLUMNS
from reports.exports import csv_safe
from tests.reports.factory import FORMULA_LIKE


def _csv(doc: dict[str, Any]) -> tuple[bytes, list[dict[str, str]]]:
    out = io.BytesIO()
    write_flags_csv(doc, out)
    data = out.getvalue()
    return data, list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_has_the_flags_sheet_columns_and_one_row_per_flag(doc: dict[str, Any]) -> None:
    data, rows = _csv(doc)
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    assert list(rows[0]) == [c.title for c in FLAG_COLUMNS]
    assert len(rows) == sum(len(s["flags"]) for s in doc["shipments"]) == 13
    listed = next(r for r in rows if r["Reason code"] == "PARTY_LISTED")
    assert listed["Entity id"] == "us_bis_dpl:3edebabffc55"
    assert listed["Score"] == "0.97"
    assert listed["Legal basis"] == "80 FR 30435; 80 FR 44930"
    assert listed["Legal basis URL"] == "https://www.federalregister.gov/citation/80-FR-30435"
    assert all(r["Claims"] or r["Legal basis"] for r in rows)
    assert "ft-2024-09-10-campbell-component-pieces" in next(
        r["Claims"] for r in rows if r["Reason code"] == "ITEM_HIGH_PRIORITY"
    ).split("\n")


@pytest.mark.parametrize("name", FORMULA_LIKE)
def test_csv_prefixes_formula_like_text(doc: dict[str, Any], name: str) -> None:
    _, rows = _csv(doc)
    parties = [r["Party as given"] for r in rows]
    assert "'" + name in parties
    assert name not in parties


def test_csv_leaves_plain_text_and_numbers_alone() -> None:
    assert csv_safe("Nordwind GmbH") == "Nordwind GmbH"
    assert csv_safe("a=b") == "a=b"
    assert csv_safe("-5") == "'-5"  # text that a spreadsheet would evaluate


def test_csv_to_a_path(doc: dict[str, Any], tmp_path: Path) -> None:
    write_flags_csv(doc, tmp_path / "flags.csv")
    text = (tmp_path / "flags.csv").read_text(encoding="utf-8-sig")
    assert text.startswith("Sheet,Row,Shipment id,")


def test_csv_stream_stays_open(doc: dict[str, Any]) -> None:
    out = io.BytesIO()
    write_flags_csv(doc, out)
    out.write(b"")  # still writable: the caller owns the stream
    assert not out.closed


def test_json_is_the_document(doc: dict[str, Any], tmp_path: Path) -> None:
    text = to_json(doc)
    assert json.loads(text) == doc
    assert "Завод Северный" in text  # not escaped to \\u sequences
    assert text.startswith('{\n  "run": {')
    write_json(doc, tmp_path / "run.json")
    assert json.loads((tmp_path / "run.json").read_text(encoding="utf-8")) == doc
    out = io.BytesIO()
    write_json(doc, out)
    assert out.getvalue().decode("utf-8") == text
