"""Where queued screening runs execute: in this process, or on Celery workers.

Without a broker (``SCREENING_BROKER_URL`` empty) a small thread pool in the
web process screens queued runs. With one, each chunk of a run becomes a
Celery task (see :mod:`screening.jobs.tasks`), so any number of worker
machines share the work. Either way a run's chunks go through
:func:`screening.services.runs.process_chunk`, which is idempotent, and the
run that finishes adds its parties to the counterparty register.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

from screening.errors import NotFound
from screening.services import register, runs
from screening.services.index import IndexCache, IndexLike
from screening.settings import Settings
from screening.storage import runs as store
from screening.storage.db import Database

log = logging.getLogger(__name__)

# Called with (rows screened so far, rows in the run).
Progress = Callable[[int, int], None]


class Runner(Protocol):
    def submit(self, run_id: str) -> None: ...


class InProcessRunner:
    """Runs queued screenings on background threads of this process."""

    def __init__(
        self, db: Database, settings: Settings, cache: IndexCache, workers: int = 2
    ) -> None:
        self.db = db
        self.settings = settings
        self.cache = cache
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="screening-run")
        self.futures: dict[str, Future[None]] = {}

    def submit(self, run_id: str) -> None:
        self.futures[run_id] = self.pool.submit(self._run, run_id)

    def _run(self, run_id: str) -> None:
        try:
            run_in_process(self.db, self.cache, self.settings, run_id)
        except Exception:  # recorded on the run; keep the pool alive
            log.exception("background screening %s failed", run_id)

    def wait(self, run_id: str, timeout: float | None = None) -> None:
        """Block until a submitted run ends (tests and the CLI use this)."""
        future = self.futures.get(run_id)
        if future is not None:
            future.result(timeout=timeout)


def make_runner(db: Database, settings: Settings, cache: IndexCache) -> Runner:
    if settings.broker_url:
        from screening.jobs.celery_app import CeleryRunner

        return CeleryRunner(settings, db)
    return InProcessRunner(db, settings, cache)


def run_in_process(
    db: Database,
    index: IndexLike,
    settings: Settings,
    run_id: str,
    progress: Progress | None = None,
) -> None:
    """Screen every pending chunk of a run here, finish it and register its parties.

    See :func:`screening.services.runs.run_pending`: a failure marks the run
    failed and re-raises, and calling this again resumes the run.
    """
    if runs.run_pending(db, index, settings, run_id, progress):
        register.record_run(db, run_id)


def run_chunk(db: Database, index: IndexLike, settings: Settings, run_id: str, number: int) -> bool:
    """Screen one chunk (a Celery task's body); the last chunk done finishes the run.

    The chunk is screened against the list versions the run is pinned to
    (those active when it was stored), whichever versions this worker's index
    holds now. Idempotent: a chunk already done is skipped; returns whether
    this call screened it. Transient database errors propagate for the task
    to retry.
    """
    screened = runs.process_chunk(db, index, settings, run_id, number)
    finish_run(db, index, settings, run_id)
    return screened


def finish_run(db: Database, index: IndexLike, settings: Settings, run_id: str) -> bool:
    """Finalize the run if every chunk is done, then add its parties to the register."""
    if not runs.finalize(db, index, settings, run_id):
        return False
    register.record_run(db, run_id)
    return True


def fail_run(db: Database, run_id: str, exc: BaseException) -> None:
    """Record a run as failed with a one-line reason (its done chunks stay done)."""
    runs.fail(db, run_id, exc)


def wait_for_run(
    db: Database,
    run_id: str,
    *,
    progress: Progress | None = None,
    poll: float = 0.5,
    timeout: float | None = None,
    on_idle: Callable[[float], None] | None = None,
) -> str:
    """Poll a run (screened elsewhere) until it is done or failed; returns that status.

    ``on_idle`` is called with the seconds since the last progress while
    nothing moves (e.g. to say that no worker seems to be running).

    Raises:
        NotFound: no such run.
        TimeoutError: still running after ``timeout`` seconds.
    """
    started = last_change = time.monotonic()
    seen = -1
    while True:
        with db.session() as session:
            run = store.get_run(session, run_id)
            if run is None:
                raise NotFound(f"no screening run {run_id!r}")
            status, done, total = run.status, run.rows_done, run.row_count
        now = time.monotonic()
        if done != seen:
            seen, last_change = done, now
            if progress is not None:
                progress(done, total)
        if status in ("done", "failed"):
            return status
        if timeout is not None and now - started > timeout:
            raise TimeoutError(f"screening run {run_id} still {status} after {timeout:.0f}s")
        if on_idle is not None:
            on_idle(now - last_change)
        time.sleep(poll)
