"""The officer's flow in a real headless Chromium (Debian's /usr/bin/chromium via Playwright).

Sign in, upload a workbook, confirm the mapping, wait for results, open a
shipment, dismiss a hit with a reason, download the report.
"""

from __future__ import annotations

import io
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from werkzeug.serving import make_server

from screening.services import accounts
from screening.services import lists as list_service
from screening.settings import Settings
from screening.storage.db import Database
from screening.web import create_app

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser

if shutil.which(CHROMIUM) is None:  # .ci/run installs it; say so loudly elsewhere
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture
def server(tmp_path: Path, lists_dir: Path) -> Iterator[str]:
    settings = Settings(instance_path=tmp_path / "instance", sync_rows=2).resolved()
    db = Database(settings.database_url)
    db.upgrade()
    [outcome] = list_service.load_path(db, lists_dir / "un_sc")
    assert outcome.status == "activated"
    accounts.create_user(db, "rita", "correct horse battery", "reviewer", "test")
    db.dispose()
    app = create_app(settings)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        app.extensions["screening"].db.dispose()


def workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Order no.", "Ship-to", "Dest. country", "Tariff no.", "Material description"])
    sheet.append(
        [
            "PO-1",
            "Korea Mining Development Trading Corporation",
            "China",
            "8542.31",
            "Microcontrollers",
        ]
    )
    sheet.append(["PO-2", "Textilhaus Mueller GmbH", "Germany", "6109.10", "Cotton T-shirts"])
    sheet.append(["PO-3", "Nordic Marine Supplies AB", "Sweden", "8414.51", "Fans"])
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_officer_screens_reviews_and_downloads(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    upload = workbook(tmp_path / "orders.xlsx")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(accept_downloads=True)
            page.goto(server + "/screenings")
            page.get_by_label("Username").fill("rita")
            page.get_by_label("Password").fill("correct horse battery")
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Screenings")).to_be_visible()

            page.get_by_label("Shipment file").set_input_files(str(upload))
            page.get_by_role("button", name="Upload and map columns").click()
            expect(
                page.get_by_role("heading", name="Confirm the columns of orders.xlsx")
            ).to_be_visible()
            # "Ship-to" is ambiguous in ERP exports; the officer confirms it is the consignee.
            page.get_by_label("Ship-to").select_option("consignee")
            expect(page.get_by_label("Tariff no.")).to_have_value("hs_code")
            page.get_by_role("button", name="Screen 3 shipments").click()

            # Three rows exceed sync_rows=2: the run goes to the background and the page refreshes.
            expect(page.locator("#run-status")).to_have_text("done", timeout=60_000)
            expect(page.locator(".counts")).to_contain_text("Blocked: 1")
            page.get_by_role("link", name="Sheet 2", exact=True).click()

            expect(
                page.get_by_text("KOREA MINING DEVELOPMENT TRADING CORPORATION").first
            ).to_be_visible()
            page.get_by_text("Citations").first.click()
            expect(page.locator("q").first).to_be_visible()
            page.get_by_label("Reason").first.fill("Different company: Mongolian mining co-op")
            page.get_by_role("button", name="Dismiss as false positive").first.click()
            expect(page.get_by_text("Hit dismissed as a false positive.")).to_be_visible()
            expect(page.get_by_text("Review status: dismissed").first).to_be_visible()

            page.get_by_role("link", name="← Back to the screening").click()
            with page.expect_download() as info:
                page.get_by_role("link", name="Download the Excel report").click()
            saved = tmp_path / "report.xlsx"
            info.value.save_as(saved)
            book = openpyxl.load_workbook(saved)
            assert {"Summary", "Shipments", "Flags", "Claims", "Lists"} <= set(book.sheetnames)
            page.screenshot(path=str(tmp_path / "results.png"), full_page=True)
        finally:
            browser.close()
