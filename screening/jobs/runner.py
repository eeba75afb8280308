"""Where queued screening runs execute: in this process, or on Celery workers.

Without a broker (``SCREENING_BROKER_URL`` empty) a small thread pool in the
web process screens queued runs. With one, each chunk of a run becomes a
Celery task (see :mod:`screening.jobs.tasks`), so any number of worker
machines share the work.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

from screening.services import runs
from screening.services.index import IndexCache
from screening.settings import Settings
from screening.storage.db import Database

log = logging.getLogger(__name__)


class Runner(Protocol):
    def submit(self, run_id: str) -> None: ...


class InProcessRunner:
    """Runs queued screenings on background threads of this process."""

    def __init__(self, db: Database, settings: Settings, cache: IndexCache,
                 workers: int = 2) -> None:
        self.db = db
        self.settings = settings
        self.cache = cache
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="screening-run")
        self.futures: dict[str, Future[None]] = {}

    def submit(self, run_id: str) -> None:
        self.futures[run_id] = self.pool.submit(self._run, run_id)

    def _run(self, run_id: str) -> None:
        try:
            runs.run_pending(self.db, self.cache.get(), self.settings, run_id)
        except Exception:  # recorded on the run by run_pending; keep the pool alive
            log.exception("background screening %s failed", run_id)

    def wait(self, run_id: str, timeout: float | None = None) -> None:
        """Block until a submitted run ends (tests and the CLI use this)."""
        future = self.futures.get(run_id)
        if future is not None:
            future.result(timeout=timeout)


def make_runner(db: Database, settings: Settings, cache: IndexCache) -> Runner:
    if settings.broker_url:
        from screening.jobs.celery_app import CeleryRunner

        return CeleryRunner(settings)
    return InProcessRunner(db, settings, cache)
