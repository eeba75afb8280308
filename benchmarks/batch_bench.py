"""Batch screening throughput: rows per second in-process and on Celery workers.

Usage::

    .venv/bin/python benchmarks/batch_bench.py [--rows 100000] [--workers 2]
        [--database-url URL] [--redis redis://127.0.0.1:6379] [--lists ../shared/data/lists]
        [--sources us_ofac_sdn,uk_ofsi,un_sc]

It loads the chosen sources of the shared mirror into a fresh database (a
temporary SQLite file unless ``--database-url`` names a PostgreSQL database,
whose tables must not exist yet), builds ``--rows`` shipment rows (one in ten
names a listed party, the others clean made-up companies), and screens them
as a stored run twice: in this process, then on ``--workers`` ``screening
worker`` processes (one pool process each) sharing the database through a
Redis queue of its own. Index building and worker start-up are excluded (each
worker screens a warm-up run first); storing the input rows is included in
neither figure. It prints rows/second for both and their ratio. On the 2-core
reference machine two workers cannot beat one process by more than 2x, and
the database writes of both runs share the same disk.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.core.shipments import PartyRef, ShipmentRow  # noqa: E402
from screening.jobs.celery_app import CeleryRunner  # noqa: E402
from screening.jobs.runner import run_in_process, wait_for_run  # noqa: E402
from screening.services import lists as list_service  # noqa: E402
from screening.services import runs  # noqa: E402
from screening.services.index import build_from_db  # noqa: E402
from screening.settings import Settings  # noqa: E402
from screening.storage import list_store  # noqa: E402
from screening.storage.db import Database  # noqa: E402

WORDS = (
    "Nordic",
    "Alpine",
    "Baltic",
    "Atlas",
    "Orion",
    "Lumen",
    "Vega",
    "Helios",
    "Delta",
    "Cobalt",
    "Meridian",
    "Summit",
    "Harbor",
    "Pioneer",
    "Sterling",
    "Crescent",
)
TRADES = (
    "Textiles",
    "Machinery",
    "Logistics",
    "Foods",
    "Optics",
    "Plastics",
    "Timber",
    "Ceramics",
    "Electronics",
    "Pumps",
    "Valves",
    "Packaging",
)
FORMS = ("GmbH", "AB", "Ltd", "SARL", "BV", "Oy", "SpA", "AS", "Inc", "Kft")
COUNTRIES = ("DE", "SE", "FR", "NL", "FI", "IT", "NO", "US", "HU", "GB", "CN", "RU", "TR", "AE")
HS = ("847130", "610910", "854231", "841451", "901380", "392690", "940360", "851713")


def shipment_rows(count: int, listed: list[str], seed: int = 7) -> list[ShipmentRow]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        if i % 10 == 0:
            name = rng.choice(listed)
        else:
            name = f"{rng.choice(WORDS)} {rng.choice(TRADES)} {rng.choice(FORMS)}"
        country = rng.choice(COUNTRIES)
        rows.append(
            ShipmentRow(
                row=i + 2,
                sheet=None,
                shipment_id=f"B-{i + 1}",
                parties=(PartyRef("consignee", name, country),),
                destination_country=country,
                hs_code=rng.choice(HS),
            )
        )
    return rows


def listed_names(db: Database, count: int) -> list[str]:
    with db.session() as session:
        ids = [v.id for v in list_store.active_versions(session)]
        names = []
        for entry in list_store.iter_entries(session, ids):
            names.append(entry.primary_name)
            if len(names) >= count:
                break
    return names


def start_workers(settings: Settings, count: int, logs: Path) -> list[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
    env.update(
        {
            "SCREENING_INSTANCE_PATH": str(settings.instance_path),
            "SCREENING_DATABASE_URL": settings.database_url,
            "SCREENING_BROKER_URL": settings.broker_url,
            "SCREENING_CELERY_QUEUE": settings.celery_queue,
        }
    )
    procs = []
    for number in range(count):
        log = (logs / f"worker-{number}.log").open("wb")
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "screening.cli",
                    "worker",
                    "--concurrency",
                    "1",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    return procs


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--lists", type=Path, default=ROOT.parent / "shared" / "data" / "lists")
    parser.add_argument("--sources", default="us_ofac_sdn,uk_ofsi,un_sc")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="batch-bench-") as tmp:
        folder = Path(tmp)
        url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        settings = Settings(
            instance_path=folder / "instance",
            database_url=url,
            broker_url=f"{args.redis}/{1 + uuid.uuid4().int % 15}",
            celery_queue=queue,
        ).resolved()
        db = Database(url)
        db.upgrade()
        started = time.perf_counter()
        for source in args.sources.split(","):
            for outcome in list_service.load_path(db, args.lists / source):
                print(f"  {outcome.message}")
        print(f"lists loaded in {time.perf_counter() - started:.1f}s")
        rows = shipment_rows(args.rows, listed_names(db, 2000))
        index = build_from_db(db)
        print(f"index: {len(index.match)} entries, built in {index.built_in:.1f}s")

        local = runs.create_run(db, rows, actor="bench", channel="batch")
        started = time.perf_counter()
        run_in_process(db, index, settings, local)
        in_process = args.rows / (time.perf_counter() - started)
        print(f"in-process: {args.rows} rows at {in_process:,.0f} rows/s")

        procs = start_workers(settings, args.workers, folder)
        try:
            runner = CeleryRunner(settings, db)
            warm = runs.create_run(
                db, rows[: args.workers * 4], actor="bench", channel="batch", chunk_size=1
            )
            runner.submit(warm)  # every worker loads its index on its first task
            if wait_for_run(db, warm, timeout=600) != "done":
                raise SystemExit("the warm-up run failed; see the worker logs")
            remote = runs.create_run(db, rows, actor="bench", channel="batch")
            started = time.perf_counter()
            runner.submit(remote)
            status = wait_for_run(db, remote, poll=0.2)
            on_workers = args.rows / (time.perf_counter() - started)
            if status != "done":
                raise SystemExit(f"the Celery run ended {status}")
        finally:
            stop_workers(procs)
            import redis

            redis.Redis.from_url(settings.broker_url).delete(queue)
        print(f"celery, {args.workers} workers: {args.rows} rows at {on_workers:,.0f} rows/s")
        print(f"ratio celery/in-process: {on_workers / in_process:.2f}x")
        same = (
            runs.run_document(db, local)["run"]["counts"]
            == runs.run_document(db, remote)["run"]["counts"]
        )
        print(f"same verdict counts: {same}")
        db.dispose()


if __name__ == "__main__":
    main()
