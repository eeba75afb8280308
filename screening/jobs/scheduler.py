"""The embedded scheduler: cron schedules run inside the web app when there is no broker.

Every gunicorn worker builds the app and so starts a scheduler thread; they
all poll, and a lease row per job in the database (``scheduled_jobs``, see
:mod:`screening.storage.jobs`) lets exactly one of them fire each cron
slot. A slot missed while the service was down fires once on the next poll;
a job still running when its next slot comes makes that slot wait for it.
With a broker, Celery beat (``screening beat``) runs the schedules instead.
Cron expressions are evaluated in UTC, as Celery beat does.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from croniter import croniter

from screening.jobs import scheduled
from screening.services.index import IndexCache
from screening.settings import Settings
from screening.storage import jobs as store
from screening.storage.db import Database

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

Job = Callable[[], object]


def utcnow() -> datetime:
    return datetime.now(UTC)


def latest_slot(expr: str, now: datetime) -> datetime:
    """The latest time at or before ``now`` that cron expression ``expr`` names."""
    # Slots are whole minutes; croniter's get_prev is strictly before its start.
    start = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    slot: datetime = croniter(expr, start).get_prev(datetime)
    return slot


def default_jobs(db: Database, settings: Settings) -> dict[str, Job]:
    """The scheduled jobs, run in this process."""
    cache = IndexCache(db)
    return {
        "refresh_lists": lambda: scheduled.refresh_lists(db, settings, actor="scheduler"),
        "watch_folder": lambda: scheduled.watch_folder(db, settings, cache.get, actor="scheduler"),
    }


class Scheduler:
    """Fires the configured jobs at their cron slots, at most once per slot across processes."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        jobs: Mapping[str, Job] | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        holder: str | None = None,
        poll: float = 30.0,
        lease: float = 300.0,
    ) -> None:
        self.db = db
        self.schedules = settings.schedule_items()
        self.jobs = dict(jobs) if jobs is not None else default_jobs(db, settings)
        self.clock = clock
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.poll = poll
        self.lease = timedelta(seconds=lease)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> list[str]:
        """Fire every job whose latest slot is due and not yet taken; returns those fired here."""
        fired = []
        for name, expr in self.schedules:
            now = self.clock()
            slot = latest_slot(expr, now)
            if self._claim(name, slot, now):
                self._run(name)
                fired.append(name)
        return fired

    def _claim(self, name: str, slot: datetime, now: datetime) -> bool:
        try:
            with self.db.session() as session:
                if store.get_job(session, name) is None:
                    # First sight of this job: its first slot to fire is the next one,
                    # not one that passed before the schedule existed.
                    store.add_job(session, name, slot)
                    return False
                return store.claim_slot(
                    session, name, slot, holder=self.holder, now=now, lease_until=now + self.lease
                )
        except store.DUPLICATE_ERRORS:  # another scheduler created the row just now
            return False
        except store.TRANSIENT_ERRORS as exc:  # locked or unreachable: try at the next poll
            log.warning("scheduler: cannot claim %s: %s", name, exc)
            return False

    def _run(self, name: str) -> None:
        log.info("scheduler: %s fires (%s)", name, self.holder)
        stop_renewing = threading.Event()
        renewer = threading.Thread(
            target=self._renew, args=(name, stop_renewing), name=f"lease-{name}", daemon=True
        )
        renewer.start()
        ok, error = True, None
        try:
            self.jobs[name]()
        except Exception as exc:  # a failing job must not stop the scheduler
            log.exception("scheduled job %s failed", name)
            ok, error = False, f"{type(exc).__name__}: {exc}"
        finally:
            stop_renewing.set()
            renewer.join()
        with self.db.session() as session:
            store.finish(session, name, self.holder, at=self.clock(), ok=ok, error=error)

    def _renew(self, name: str, stop: threading.Event) -> None:
        """Keep the lease while the job runs, so no other scheduler starts it again."""
        while not stop.wait(self.lease.total_seconds() / 3):
            try:
                with self.db.session() as session:
                    store.renew(session, name, self.holder, self.clock() + self.lease)
            except store.TRANSIENT_ERRORS as exc:
                log.warning("scheduler: cannot renew the lease of %s: %s", name, exc)

    def start(self) -> threading.Thread:
        """Poll in a daemon thread until :meth:`stop`."""
        self._thread = threading.Thread(target=self._loop, name="screening-scheduler", daemon=True)
        self._thread.start()
        return self._thread

    def _loop(self) -> None:
        while True:
            try:
                self.tick()
            except Exception:  # keep polling whatever happened
                log.exception("scheduler tick failed")
            if self._stop.wait(self.poll):
                return

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


def init_app(app: Flask) -> Scheduler | None:
    """Start the embedded scheduler when schedules are configured and there is no broker."""
    services = app.extensions["screening"]
    settings: Settings = services.settings
    if not settings.schedules or settings.broker_url:
        return None
    scheduler = Scheduler(services.db, settings)
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    log.info(
        "embedded scheduler started: %s",
        "; ".join(f"{job}={expr}" for job, expr in scheduler.schedules),
    )
    return scheduler
