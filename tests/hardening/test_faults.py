"""Faults: a list download that times out or returns garbage, a full disk under a report,
and PostgreSQL restarting in the middle of a screening run.

Each must leave what was there intact: the previous list version stays active
(and the lists page says what went wrong), no half-written report is offered,
and a run either completes or fails cleanly and resumes without losing or
duplicating a row.
"""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from screening.core.shipments import PartyRef, ShipmentRow
from screening.services import accounts, runs
from screening.services import lists as list_service
from screening.services.index import build_from_db
from screening.settings import Settings
from screening.storage.db import Database
from tests.web.auth_factory import sign_in


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves garbage for un_sc and stalls (longer than the client's timeout) for the rest."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path.startswith("/un_sc/"):
            body = b"<html><body>502 Bad Gateway from the corporate proxy</body></html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        time.sleep(3)
        self.send_response(504)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def bad_mirror() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_garbage_and_timeouts_keep_previous_versions(
    db: Database,
    settings: Settings,
    lists_dir: Path,
    bad_mirror: str,
    make_app: Callable[..., Flask],
    fast_password_hashing: None,
) -> None:
    for source in ("un_sc", "us_bis_dpl"):
        [loaded] = list_service.load_path(db, lists_dir / source)
        assert loaded.status == "activated"
    settings = Settings(
        instance_path=settings.instance_path,
        database_url=settings.database_url,
        list_base_url=bad_mirror,
        download_timeout=1.0,
    ).resolved()
    outcomes = {
        o.source: o
        for o in list_service.update_sources(
            db, settings, sources=["un_sc", "us_bis_dpl"], actor="test"
        )
    }
    assert outcomes["un_sc"].status == "failed"
    assert "root element is html" in outcomes["un_sc"].message
    assert outcomes["us_bis_dpl"].status == "failed"
    assert "download failed" in outcomes["us_bis_dpl"].message
    status = {r["source"]: r for r in list_service.status(db)}
    assert status["un_sc"]["as_of"] == "2026-02-27" and status["un_sc"]["entries"] == 1003
    assert status["us_bis_dpl"]["active"] is True
    assert status["un_sc"]["last_update"]["ok"] is False

    accounts.create_user(db, "vera", "correct horse battery", "viewer", "test")
    client = make_app().test_client()
    assert sign_in(client, "vera").status_code == 302
    page = client.get("/lists").get_data(as_text=True)
    assert "failed: un_sc" in page and "download failed" in page


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 KiB tmpfs: a real ENOSPC, not a mocked one (needs root, as in CI)."""
    mount = tmp_path / "reports"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=False)


def test_disk_full_while_writing_a_report(
    db: Database,
    settings: Settings,
    lists_dir: Path,
    small_disk: Path,
    make_app: Callable[..., Flask],
) -> None:
    list_service.load_path(db, lists_dir / "un_sc")
    rows = [
        ShipmentRow(
            row=n + 2,
            sheet=None,
            parties=(PartyRef("consignee", f"Acme Tools {n} Ltd", "DE"),),
            destination_country="DE",
            hs_code="848210",
            goods_description="ball bearings " + "x" * 200,
        )
        for n in range(400)
    ]
    outcome = runs.screen_and_store(
        db, build_from_db(db), settings, rows, actor="test", channel="cli"
    )
    app = make_app()
    app.extensions["screening"].settings = Settings(
        instance_path=small_disk.parent, database_url=settings.database_url
    ).resolved()
    # Reports go to <instance>/reports, which is the 8 KiB tmpfs.
    _key, plaintext = accounts.create_api_key(db, "t", ["read"], "test")
    response = app.test_client().get(
        f"/api/v1/screenings/{outcome.run_id}/report.xlsx",
        headers={"Authorization": f"Bearer {plaintext}"},
    )
    response.close()
    assert response.status_code == 503, response.status_code
    body = response.get_json()
    assert "could not write the report" in body["detail"]
    assert list(small_disk.iterdir()) == []  # no partial file left to download


def _pg_cluster() -> list[str] | None:
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        return None
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


@pytest.mark.slow
def test_postgres_restart_during_a_run(
    database_url: str, settings: Settings, lists_dir: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    cluster = _pg_cluster()
    if (
        cluster is None
        or os.environ.get("CI") != "true"
        and not os.environ.get("SCREENING_FAULT_TESTS")
    ):
        pytest.skip("restarts the local PostgreSQL: runs in CI or with SCREENING_FAULT_TESTS=1")
    db = Database(database_url)
    db.upgrade()
    list_service.load_path(db, lists_dir / "un_sc")
    index = build_from_db(db)
    rows = [
        ShipmentRow(
            row=n + 2,
            sheet=None,
            parties=(
                PartyRef(
                    "consignee",
                    "Korea Mining Development Trading Corporation"
                    if n % 50 == 0
                    else f"Acme Tools {n} Ltd",
                    "DE",
                ),
            ),
            destination_country="DE",
        )
        for n in range(3000)
    ]
    run_id = runs.create_run(db, rows, actor="test", channel="batch", chunk_size=50)

    def restart() -> None:
        time.sleep(1.0)
        subprocess.run([*cluster, "restart"], check=True, capture_output=True)

    restarter = threading.Thread(target=restart)
    restarter.start()
    failed = False
    try:
        runs.run_pending(db, index, settings, run_id)
    except sa.exc.OperationalError:
        failed = True  # the run is marked failed; resume below
    restarter.join()
    for _ in range(30):  # wait until the server accepts connections again
        try:
            with db.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            break
        except sa.exc.OperationalError:
            time.sleep(0.5)
    if failed:
        document = runs.run_document(db, run_id)
        assert document["run"]["status"] == "failed" and document["run"]["error"]
    runs.run_pending(db, index, settings, run_id)  # resume: only pending chunks run
    document = runs.run_document(db, run_id)
    assert document["run"]["status"] == "done"
    assert sorted(s["row"] for s in document["shipments"]) == [r.row for r in rows]
    with db.engine.connect() as conn:
        hits = conn.execute(
            sa.text("SELECT count(*), count(DISTINCT shipment_pk) FROM hits WHERE run_id = :r"),
            {"r": run_id},
        ).one()
    assert hits[0] == hits[1] == 60  # one hit per listed row, none duplicated
    db.dispose()
