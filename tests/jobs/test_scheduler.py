"""Schedules: settings validation, the lease that lets one scheduler fire, beat, the watch folder."""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from screening.errors import ConfigError
from screening.jobs import scheduled
from screening.jobs.celery_app import REFRESH_LISTS, WATCH_FOLDER, beat_schedule
from screening.jobs.scheduler import Scheduler
from screening.services.index import build_from_db
from screening.settings import Settings
from screening.storage import jobs as job_store
from screening.storage.db import Database
from tests.jobs.test_batch_cli import BAD, GOOD

EVERY_5 = "refresh_lists=*/5 * * * *"


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 1, 5, hour, minute, second, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


# -- settings ---------------------------------------------------------------------------


def test_schedules_are_read_and_validated(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "SCREENING_SCHEDULES": "refresh_lists=0 */6 * * *; watch_folder = 0 2 * * 1-5",
            "SCREENING_WATCH_FOLDER": str(tmp_path),
            "SCREENING_WATCH_OUT": str(tmp_path / "out"),
        }
    )
    assert settings.schedule_items() == (
        ("refresh_lists", "0 */6 * * *"),
        ("watch_folder", "0 2 * * 1-5"),
    )
    assert settings.watch_reports_path == tmp_path / "out"
    assert replace(settings, watch_out=None).watch_reports_path == tmp_path / "reports"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"SCREENING_SCHEDULES": "refresh=0 * * * *"},
            "SCREENING_SCHEDULES: unknown job 'refresh' (known: refresh_lists, watch_folder)",
        ),
        (
            {"SCREENING_SCHEDULES": "refresh_lists=0 25 * * *"},
            "SCREENING_SCHEDULES: refresh_lists: '0 25 * * *' is not a five-field cron expression",
        ),
        (
            {"SCREENING_SCHEDULES": "refresh_lists=0 0 * * * *"},
            "SCREENING_SCHEDULES: refresh_lists: '0 0 * * * *' is not a five-field",
        ),
        ({"SCREENING_SCHEDULES": "refresh_lists"}, "SCREENING_SCHEDULES: expected JOB=CRON"),
        (
            {"SCREENING_SCHEDULES": "watch_folder=0 2 * * *"},
            "SCREENING_SCHEDULES: the watch_folder job needs SCREENING_WATCH_FOLDER",
        ),
        (
            {"SCREENING_WATCH_FOLDER": "/nonexistent/inbox"},
            "SCREENING_WATCH_FOLDER: /nonexistent/inbox is not a folder",
        ),
        ({"SCREENING_CELERY_QUEUE": "my queue"}, "SCREENING_CELERY_QUEUE: 'my queue' is not"),
        ({"SCREENING_BROKER_VISIBILITY_TIMEOUT": "0"}, "SCREENING_BROKER_VISIBILITY_TIMEOUT"),
    ],
)
def test_bad_schedule_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert str(caught.value).startswith(message)


def test_beat_runs_the_configured_jobs_on_their_crontabs(tmp_path: Path) -> None:
    settings = Settings(
        schedules="refresh_lists=15 */6 * * *;watch_folder=0 2 * * 1-5",
        watch_folder=tmp_path,
        broker_url="redis://127.0.0.1:6379/0",
    )
    schedule = beat_schedule(settings)
    assert {name: entry["task"] for name, entry in schedule.items()} == {
        "refresh_lists": REFRESH_LISTS,
        "watch_folder": WATCH_FOLDER,
    }
    nightly = schedule["watch_folder"]["schedule"]
    assert (nightly.minute, nightly.hour, nightly.day_of_week) == ({0}, {2}, {1, 2, 3, 4, 5})
    assert schedule["refresh_lists"]["schedule"].hour == {0, 6, 12, 18}


# -- the lease ---------------------------------------------------------------------------


@pytest.fixture
def second_db(database_url: str, db: Database) -> Iterator[Database]:
    """Another engine on the same database: what a second gunicorn worker would have."""
    other = Database(database_url)
    yield other
    other.dispose()


def _pair(
    db: Database, other: Database, jobs: dict[str, Callable[[], object]], clock: Clock
) -> tuple[Scheduler, Scheduler]:
    settings = Settings(schedules=EVERY_5)
    return (
        Scheduler(db, settings, jobs, clock=clock, holder="worker-1"),
        Scheduler(other, settings, jobs, clock=clock, holder="worker-2"),
    )


def _tick_together(schedulers: tuple[Scheduler, Scheduler]) -> list[str]:
    """Both schedulers tick at the same moment, each on its own thread."""
    barrier = threading.Barrier(len(schedulers))
    fired: list[str] = []

    def tick(scheduler: Scheduler) -> None:
        barrier.wait()
        fired.extend(f"{scheduler.holder}:{name}" for name in scheduler.tick())

    threads = [threading.Thread(target=tick, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return fired


def test_two_schedulers_fire_each_slot_once(db: Database, second_db: Database) -> None:
    runs: Counter[str] = Counter()
    clock = Clock(at(10, 2))
    pair = _pair(db, second_db, {"refresh_lists": lambda: runs.update(["refresh_lists"])}, clock)

    # First sight of the job: nothing fires for the slot that passed before it existed.
    assert _tick_together(pair) == []
    clock.now = at(10, 4, 59)
    assert _tick_together(pair) == []

    clock.now = at(10, 5, 30)
    fired = _tick_together(pair)
    assert len(fired) == 1 and fired[0].endswith(":refresh_lists")
    assert runs["refresh_lists"] == 1
    clock.now = at(10, 9)
    assert _tick_together(pair) == []  # same slot (10:05): taken already

    # The service was down from 10:09 to 10:27: the missed slots fire once, not three times.
    clock.now = at(10, 27)
    assert len(_tick_together(pair)) == 1
    assert runs["refresh_lists"] == 2
    with db.session() as session:
        row = job_store.get_job(session, "refresh_lists")
        assert row is not None
        assert job_store.aware(row.last_slot) == at(10, 25)
        assert (row.ok, row.error, row.lease_until) == (True, None, None)


def test_a_running_job_keeps_its_lease(db: Database, second_db: Database) -> None:
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow() -> None:
        calls.append("start")
        started.set()
        release.wait(30)

    clock = Clock(at(10, 2))
    first, second = _pair(db, second_db, {"refresh_lists": slow}, clock)
    first.tick()
    clock.now = at(10, 5, 30)  # the lease (300 s) runs to 10:10:30
    runner = threading.Thread(target=first.tick)
    runner.start()
    assert started.wait(30)
    # The next slot comes while the first run still holds the lease: it waits.
    clock.now = at(10, 10, 1)
    assert second.tick() == []
    release.set()
    runner.join(30)
    assert second.tick() == ["refresh_lists"]  # the waiting slot fires once the lease is free
    assert calls == ["start", "start"]


def test_a_failing_job_is_recorded_and_the_next_slot_fires(db: Database) -> None:
    def broken() -> None:
        raise RuntimeError("mirror unreachable")

    clock = Clock(at(10, 2))
    scheduler = Scheduler(db, Settings(schedules=EVERY_5), {"refresh_lists": broken}, clock=clock)
    scheduler.tick()
    clock.now = at(10, 5)
    assert scheduler.tick() == ["refresh_lists"]
    with db.session() as session:
        row = job_store.get_job(session, "refresh_lists")
        assert row is not None
        assert (row.ok, row.error) == (False, "RuntimeError: mirror unreachable")
    clock.now = at(10, 10)
    assert scheduler.tick() == ["refresh_lists"]


def test_the_web_app_starts_a_scheduler_only_without_a_broker(
    make_app: Callable[..., Flask],
) -> None:
    assert "scheduler" not in make_app().extensions
    app = make_app(schedules=EVERY_5)
    scheduler = app.extensions["scheduler"]
    try:
        assert scheduler._thread is not None and scheduler._thread.is_alive()
    finally:
        scheduler.stop(10)
    with_broker = make_app(schedules=EVERY_5, broker_url="redis://127.0.0.1:6379/0")
    assert "scheduler" not in with_broker.extensions


# -- the watch folder --------------------------------------------------------------------


def test_watch_folder_screens_dropped_files_and_moves_them(
    sdn_db: Database, settings: Settings, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, text in (("monday.csv", GOOD), ("broken.csv", BAD), ("copying.csv", GOOD)):
        (inbox / name).write_text(text, encoding="utf-8")
    old = 1_700_000_000
    for name in ("monday.csv", "broken.csv"):
        os.utime(inbox / name, (old, old))
    watched = replace(settings, watch_folder=inbox, schedules="watch_folder=0 2 * * *")
    results = scheduled.watch_folder(
        sdn_db, watched, lambda: build_from_db(sdn_db), clock=lambda: old + 3600.0
    )
    assert [(r.path.name, r.ok) for r in results] == [("broken.csv", False), ("monday.csv", True)]
    assert (inbox / "done" / "monday.csv").read_text(encoding="utf-8") == GOOD
    assert (inbox / "reports" / "monday.xlsx").stat().st_size > 0
    assert results[1].summary().startswith("monday.csv: 3 shipments, 1 blocked")
    assert "party name column" in (inbox / "failed" / "broken.csv.error.txt").read_text()
    # A file written less than a minute ago may still be being copied: it waits.
    assert (inbox / "copying.csv").exists()
    assert sorted(p.name for p in inbox.iterdir()) == ["copying.csv", "done", "failed", "reports"]
