"""Celery workers screen a run's chunks; a worker killed mid-run loses nothing and duplicates nothing.

Real worker processes on Redis, sharing the test database: a 2,400-row run in
120 chunks, the first worker killed with SIGKILL part-way, a second worker
finishing. The stored result must equal an in-process run of the same rows,
row for row, and re-delivering every chunk must change nothing.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from screening.cli import main
from screening.jobs.celery_app import FINALIZE_RUN, SCREEN_CHUNK, CeleryRunner
from screening.jobs.runner import run_chunk, wait_for_run
from screening.services import register, runs
from screening.services.index import build_from_db
from screening.services.screening import screen_shipments
from screening.settings import Settings
from screening.storage import runs as run_store
from screening.storage.db import Database
from screening.storage.tables import HitRecord, RunChunk, ShipmentRecord
from tests.jobs.conftest import Workers, listed_names, shipment_rows, worker_env

ROWS = 2400
CHUNK = 20


def _chunks_done(db: Database, run_id: str) -> int:
    with db.session() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(RunChunk)
                .where(RunChunk.run_id == run_id, RunChunk.status == "done")
            )
            or 0
        )


def _stored(db: Database, run_id: str) -> dict[tuple[str, int], dict[str, Any]]:
    """Each stored shipment row's verdict and flags, by (sheet, row)."""
    shipments = runs.run_document(db, run_id)["shipments"]
    return {
        (s["sheet"] or "", s["row"]): {"verdict": s["verdict"], "flags": s["flags"]}
        for s in shipments
    }


def _status(session: Session, run_id: str) -> str | None:
    run = run_store.get_run(session, run_id)
    return run.status if run else None


def _hit_count(db: Database, run_id: str) -> int:
    with db.session() as session:
        return (
            session.scalar(
                select(func.count()).select_from(HitRecord).where(HitRecord.run_id == run_id)
            )
            or 0
        )


def test_killed_worker_loses_and_duplicates_nothing(
    sdn_db: Database, celery_settings: Settings, workers: Workers
) -> None:
    db = sdn_db
    rows = shipment_rows(listed_names(db, 200), ROWS)
    runner = CeleryRunner(celery_settings, db)
    first = workers.start("a")

    # Warm the worker up (it loads the index on its first task), so the kill lands mid-run.
    warm = runs.create_run(db, rows[:1], actor="test", channel="batch")
    runner.submit(warm)
    assert wait_for_run(db, warm, poll=0.1, timeout=60) == "done"

    run_id = runs.create_run(db, rows, actor="test", channel="batch", chunk_size=CHUNK)
    total = ROWS // CHUNK
    runner.submit(run_id)
    deadline = time.monotonic() + 60
    while _chunks_done(db, run_id) < 10:
        assert time.monotonic() < deadline, "the first worker screened fewer than 10 chunks"
        time.sleep(0.01)
    workers.kill(first)
    done_at_kill = _chunks_done(db, run_id)
    assert 10 <= done_at_kill < total, f"{done_at_kill} of {total} chunks done at the kill"
    with db.session() as session:
        assert _status(session, run_id) == "running"

    workers.start("b")
    assert wait_for_run(db, run_id, poll=0.2, timeout=120) == "done"

    # Every row screened exactly once.
    with db.session() as session:
        assert _chunks_done(db, run_id) == total
        stored_rows = list(
            session.execute(
                select(ShipmentRecord.sheet, ShipmentRecord.row).where(
                    ShipmentRecord.run_id == run_id
                )
            )
        )
        run = run_store.get_run(session, run_id)
        assert run is not None
        assert (run.rows_done, run.row_count) == (ROWS, ROWS)
        assert sum(run.summary.values()) == ROWS
    assert len(stored_rows) == ROWS
    assert {row for _, row in stored_rows} == {r.row for r in rows}

    # Identical to an in-process run of the same rows: same verdicts and flags, same hits.
    local = runs.create_run(db, rows, actor="test", channel="cli")
    runs.run_pending(db, build_from_db(db), celery_settings, local)
    celery_result, local_result = _stored(db, run_id), _stored(db, local)
    assert celery_result == local_result
    # The listed parties were found (a few score below review: their list country differs).
    listed = {r.row for i, r in enumerate(rows) if i % 3 == 0}
    with_hits = {
        row for (_, row), v in celery_result.items() if any(f["entity_id"] for f in v["flags"])
    }
    assert with_hits <= listed
    assert len(with_hits) >= 0.9 * len(listed)
    hits = _hit_count(db, run_id)
    assert hits == _hit_count(db, local) > 0

    # Redeliver every chunk and the finalisation: nothing changes.
    with runner.app.producer_or_acquire() as producer:
        for number in range(total):
            runner.app.send_task(SCREEN_CHUNK, args=(run_id, number), producer=producer)
        runner.app.send_task(FINALIZE_RUN, args=(run_id,), producer=producer)
    # One worker process takes tasks in order: once a later run is done, so are the duplicates.
    sentinel = runs.create_run(db, rows[:1], actor="test", channel="batch")
    runner.submit(sentinel)
    assert wait_for_run(db, sentinel, poll=0.1, timeout=60) == "done"
    assert _hit_count(db, run_id) == hits
    assert _stored(db, run_id) == celery_result


def test_a_retried_chunk_replaces_its_partial_results(sdn_db: Database, settings: Settings) -> None:
    """A chunk whose results were written but not marked done is rewritten, not doubled."""
    db = sdn_db
    rows = shipment_rows(listed_names(db, 30), 90)
    index = build_from_db(db)
    run_id = runs.create_run(db, rows, actor="test", channel="batch", chunk_size=30)
    # What a crash between writing results and marking the chunk done would leave.
    partial = screen_shipments(rows[:30], index, settings, run_id=run_id)
    with db.session() as session:
        run_store.store_results(session, run_id, [r.to_dict() for r in partial.results])
    partial_hits = _hit_count(db, run_id)
    assert partial_hits > 0

    assert run_chunk(db, index, settings, run_id, 0) is True
    assert _hit_count(db, run_id) == partial_hits
    # A redelivery of a chunk already done is a no-op.
    assert run_chunk(db, index, settings, run_id, 0) is False
    for number in (1, 2):
        run_chunk(db, index, settings, run_id, number)
    with db.session() as session:
        assert _status(session, run_id) == "done"
        assert run_store.count_shipments(session, run_id) == 90
    local = runs.create_run(db, rows, actor="test", channel="cli")
    runs.run_pending(db, index, settings, local)
    assert _stored(db, run_id) == _stored(db, local)
    assert _hit_count(db, run_id) == _hit_count(db, local)


def test_batch_cli_hands_files_to_workers(
    sdn_db: Database,
    celery_settings: Settings,
    workers: Workers,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in worker_env(celery_settings).items():
        if key.startswith("SCREENING_"):
            monkeypatch.setenv(key, value)
    workers.start("a")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    names = listed_names(sdn_db, 5)
    lines = ["Shipment ID,Consignee,Consignee country,Country of destination"]
    lines += [f'S-{i},"{name}",RU,RU' for i, name in enumerate(names)]
    lines += ["S-9,Textilhaus Mueller GmbH,DE,DE"]
    (inbox / "nightly.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(inbox), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("nightly.csv: 6 shipments, ")
    assert result.stdout.rstrip().endswith(f"-> {out / 'nightly.xlsx'}")
    document = json.loads((out / "nightly.json").read_text(encoding="utf-8"))
    assert document["run"]["status"] == "done"
    assert document["run"]["counts"]["clear"] >= 1
    assert sum(document["run"]["counts"].values()) == 6
    # The worker that finished the run added its parties to the register.
    assert register.party_count(sdn_db) == 6
