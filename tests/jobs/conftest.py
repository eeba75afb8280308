"""Fixtures for jobs tests: a database with the real OFAC SDN list, Redis, Celery workers.

Workers are real ``screening worker`` processes sharing the test's database
(SQLite file or PostgreSQL schema) through ``SCREENING_*`` variables. Each
test gets its own Celery queue on a Redis database, so test runs never see
each other's tasks; workers are always stopped, killed if need be.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from screening.core.shipments import PartyRef, ShipmentRow
from screening.services import lists as list_service
from screening.settings import Settings
from screening.storage import list_store
from screening.storage.db import Database
from screening.storage.tables import ListEntryRow

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("SCREENING_TEST_REDIS_URL", "redis://127.0.0.1:6379")

# Clean counterparties: real-looking, on no list.
CLEAN = [
    "Textilhaus Mueller GmbH",
    "Nordic Marine Supplies AB",
    "Kaufhof Handels GmbH",
    "Bergen Fiskeutstyr AS",
    "Lyon Emballages SARL",
    "Porto Cortica Lda",
    "Utrecht Fietsonderdelen BV",
    "Lisboa Azulejos Lda",
    "Aarhus Moebler ApS",
    "Sevilla Ceramica SL",
    "Tampere Paperi Oy",
    "Brno Strojirny sro",
]


def sdn_path(lists_dir: Path, day: str) -> Path:
    return lists_dir / "us_ofac_sdn" / day


@pytest.fixture
def sdn_db(db: Database, lists_dir: Path) -> Database:
    """The test database with the OFAC SDN list of 2024-05-03 active."""
    outcome = list_service.load_one(db, "us_ofac_sdn", sdn_path(lists_dir, "2024-05-03"))
    assert outcome.status == "activated", outcome.message
    return db


def listed_names(db: Database, count: int) -> list[str]:
    """Primary names of the first ``count`` entities of the active SDN version."""
    with db.session() as session:
        [version] = list_store.active_versions(session)
        stmt = (
            select(ListEntryRow.name)
            .where(
                ListEntryRow.version_id == version.id,
                ListEntryRow.kind.in_(("organization", "person")),
            )
            .order_by(ListEntryRow.id)
            .limit(count)
        )
        return list(session.scalars(stmt))


def shipment_rows(names: list[str], count: int) -> list[ShipmentRow]:
    """``count`` rows: every third names a listed party, the others clean parties."""
    rows = []
    for i in range(count):
        listed = i % 3 == 0
        name = names[(i // 3) % len(names)] if listed else CLEAN[i % len(CLEAN)]
        rows.append(
            ShipmentRow(
                row=i + 2,
                sheet=None,
                shipment_id=f"S-{i + 1}",
                parties=(PartyRef("consignee", name, "RU" if listed else "DE"),),
                destination_country="RU" if i % 5 == 0 else "DE",
                hs_code=("854231" if i % 7 == 0 else "610910"),
                goods_description="Microcontrollers" if i % 7 == 0 else "Cotton T-shirts",
            )
        )
    return rows


# -- Redis and Celery -----------------------------------------------------------------


@pytest.fixture
def broker_url() -> Iterator[str]:
    """A Redis database for this test (queues are per test too; see ``celery_settings``)."""
    import redis

    url = f"{REDIS}/{1 + uuid.uuid4().int % 15}"
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis unreachable at {REDIS}: {exc}")
        pytest.skip(f"Redis unreachable at {REDIS}")
    yield url
    client.close()


@pytest.fixture
def celery_settings(settings: Settings, broker_url: str) -> Iterator[Settings]:
    """The test settings with a broker, a queue of their own and a short visibility timeout."""
    import redis

    queue = f"test-{uuid.uuid4().hex[:12]}"
    yield replace(
        settings, broker_url=broker_url, celery_queue=queue, broker_visibility_timeout=2.0
    )
    # Drop what is left of this test's queue, including tasks of killed workers.
    client = redis.Redis.from_url(broker_url)
    client.delete(queue)
    for tag, payload in client.hgetall("unacked").items():
        try:
            routing_key = json.loads(payload)[2]
        except (ValueError, IndexError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.close()


def worker_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
    env.update(
        {
            "SCREENING_INSTANCE_PATH": str(settings.instance_path),
            "SCREENING_DATABASE_URL": settings.database_url,
            "SCREENING_BROKER_URL": settings.broker_url,
            "SCREENING_CELERY_QUEUE": settings.celery_queue,
            "SCREENING_BROKER_VISIBILITY_TIMEOUT": str(settings.broker_visibility_timeout),
        }
    )
    return env


class Workers:
    """``screening worker`` processes, each in its own process group (killable whole)."""

    def __init__(self, settings: Settings, logs: Path) -> None:
        self.settings = settings
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, concurrency: int = 1) -> subprocess.Popen[bytes]:
        log = self.logs / f"worker-{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "screening.cli",
                    "worker",
                    "--concurrency",
                    str(concurrency),
                    "--loglevel",
                    "INFO",
                ],
                cwd=ROOT,
                env=worker_env(self.settings),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.procs.append(proc)
        deadline = time.monotonic() + 60
        while b" ready." not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"worker {name} did not start:\n{log.read_text()}")
            time.sleep(0.1)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its pool processes: no cleanup, no acknowledgement."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


@pytest.fixture
def workers(celery_settings: Settings, tmp_path: Path) -> Iterator[Workers]:
    started = Workers(celery_settings, tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
