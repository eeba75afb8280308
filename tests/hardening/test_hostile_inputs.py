"""A corpus of malformed and hostile inputs: each gets a clear 4xx or CLI error, never a 500.

Files are built here from real shapes (an xlsx written by openpyxl, a list
file from the shared mirror) and then broken the way attackers and broken
exports break them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from screening.cli import main
from screening.services import accounts
from screening.services import lists as list_service
from screening.settings import Settings
from screening.storage.db import Database


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = [
    ["Consignee", "Country of destination", "HS code"],
    ["Acme Tools Ltd", "Germany", "8482.10"],
]


def zip_bomb() -> bytes:
    """A workbook whose sheet XML inflates to 300 MB from a few hundred KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with zipfile.ZipFile(io.BytesIO(xlsx_bytes(GOOD))) as real:
            for item in real.infolist():
                if item.filename != "xl/worksheets/sheet1.xml":
                    archive.writestr(item, real.read(item))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b" " * (1 << 20)
            for _ in range(300):
                sheet.write(chunk)
    return buffer.getvalue()


CORPUS: dict[str, tuple[Callable[[], bytes], str, int, str]] = {
    # name: (bytes, file name, status, words the message must contain)
    "truncated xlsx": (lambda: xlsx_bytes(GOOD)[:1500], "orders.xlsx", 400, "xlsx"),
    "zip bomb": (zip_bomb, "bomb.xlsx", 413, "unpack"),
    "binary garbage": (lambda: bytes(range(256)) * 64, "orders.csv", 400, ""),
    "png named xlsx": (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 512, "orders.xlsx", 400, ""),
    "csv with NUL bytes": (
        lambda: b"Consignee,Destination\nAcme\x00Ltd,DE\n",
        "orders.csv",
        400,
        "NUL",
    ),
    "huge cell": (
        lambda: b"Consignee,Destination\n" + b"A" * 300_000 + b",DE\n",
        "orders.csv",
        400,
        "line 2",
    ),
    "empty file": (lambda: b"", "orders.csv", 400, "empty"),
    "header only": (lambda: b"Consignee,Destination\n", "orders.csv", 400, ""),
    "wrong columns": (lambda: b"Foo,Bar\n1,2\n", "orders.csv", 400, "party name column"),
    "too many rows": (
        lambda: b"Consignee,Destination\n" + b"Acme,DE\n" * 60,
        "orders.csv",
        413,
        "rows",
    ),
}


@pytest.fixture
def client(settings: Settings, lists_dir: Path, make_app: Callable[..., Flask]) -> FlaskClient:
    db = Database(settings.database_url)
    db.upgrade()
    list_service.load_path(db, lists_dir / "un_sc")
    db.dispose()
    return make_app(max_rows=50, max_upload_bytes=2_000_000).test_client()


@pytest.fixture
def auth(settings: Settings) -> dict[str, str]:
    db = Database(settings.database_url)
    _key, plaintext = accounts.create_api_key(db, "hostile", ["screen", "read"], "test")
    db.dispose()
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.mark.parametrize("name", list(CORPUS))
def test_hostile_uploads_get_clear_4xx(
    client: FlaskClient, auth: dict[str, str], name: str
) -> None:
    make, filename, status, words = CORPUS[name]
    response = client.post(
        "/api/v1/screenings",
        headers=auth,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(make()), filename)},
    )
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert response.mimetype == "application/problem+json" and body["detail"]
    assert words.lower() in body["detail"].lower()
    assert "Traceback" not in response.get_data(as_text=True)


def test_body_over_byte_limit_is_413(client: FlaskClient, auth: dict[str, str]) -> None:
    rows = [{"consignee": "Acme Tools Ltd", "destination_country": "DE"}] * 60_000  # ~3.8 MB
    response = client.post("/api/v1/screenings", headers=auth, json={"shipments": rows})
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


def test_latin1_csv_keeps_names(client: FlaskClient, auth: dict[str, str]) -> None:
    data = "Empfänger;Bestimmungsland\nMüller Stahlhandel GmbH;Austria\n".encode("cp1252")
    response = client.post(
        "/api/v1/screenings",
        headers=auth,
        content_type="multipart/form-data",
        data={
            "file": (io.BytesIO(data), "de.csv"),
            "mapping": '{"Empfänger": "consignee", "Bestimmungsland": "destination_country"}',
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    [shipment] = response.get_json()["shipments"]
    assert shipment["shipment"]["parties"][0]["name"] == "Müller Stahlhandel GmbH"
    assert shipment["shipment"]["destination_country"] == "AT"


def test_formula_cells_stay_text(client: FlaskClient, auth: dict[str, str]) -> None:
    data = xlsx_bytes(
        [["Consignee", "Destination"], ['=HYPERLINK("http://example.com","x")', "DE"]]
    )
    response = client.post(
        "/api/v1/screenings",
        headers=auth,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(data), "f.xlsx")},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    # openpyxl wrote the formula without a cached result: nothing is evaluated, the cell is
    # reported against its row, and the row (which then names no party) is not screened.
    assert body["shipments"] == []
    assert [(e["row"], "formula" in e["message"]) for e in body["errors"]][0] == (2, True)


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>
<FIRST_NAME>&xxe;</FIRST_NAME><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS>
</CONSOLIDATED_LIST>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol2;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"""


@pytest.mark.parametrize(("name", "data"), [("xxe", XXE), ("billion-laughs", LAUGHS)])
def test_hostile_list_xml_is_refused_by_cli(
    settings: Settings,
    lists_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    data: bytes,
) -> None:
    monkeypatch.setenv("SCREENING_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("SCREENING_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(main, ["lists", "load", str(lists_dir / "un_sc")]).exit_code == 0
    folder = tmp_path / "un_sc" / "2026-03-01"
    folder.mkdir(parents=True)
    (folder / "consolidated.xml").write_bytes(data)
    result = runner.invoke(main, ["lists", "load", str(folder)])
    assert result.exit_code == 1
    assert "refused" in result.output and "Traceback" not in result.output
    db = Database(settings.database_url)
    status = {r["source"]: r for r in list_service.status(db)}
    db.dispose()
    assert status["un_sc"]["as_of"] == "2026-02-27"  # the previous version stays active


def test_cli_screen_garbage_exits_2(
    tmp_path: Path, settings: Settings, lists_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCREENING_INSTANCE_PATH", str(settings.instance_path))
    garbage = tmp_path / "orders.xlsx"
    garbage.write_bytes(bytes(range(256)) * 16)
    result = CliRunner().invoke(main, ["screen", str(garbage), "--mirror", str(lists_dir)])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and "Traceback" not in result.output
