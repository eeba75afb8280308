"""The Celery app, built from :class:`Settings`, and the runner that hands runs to it.

Delivery is at least once: tasks are acknowledged after they finish
(``task_acks_late``), a task whose worker process died is handed back to the
queue (``task_reject_on_worker_lost``), and a worker reserves one task per
process at a time (``worker_prefetch_multiplier=1``), so a killed worker
strands at most one task per process. With Redis, a task taken by a worker
that died wholesale returns to the queue after
``SCREENING_BROKER_VISIBILITY_TIMEOUT`` seconds. Redis loses a task outright
when a worker dies between taking it from the queue and recording it as
unacknowledged, so workers also sweep (:class:`StalledRunSweeper`): a running
run with no chunk finished for that long while the queue is empty gets its
pending chunks enqueued again. Every task is idempotent, so a second delivery
changes nothing.

``screening worker`` and ``screening beat`` start a worker and the scheduler;
``celery -A screening.jobs.celery_app`` works too (settings from the environment).
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from celery import Celery, bootsteps
from celery.schedules import crontab

from screening.errors import ConfigError
from screening.settings import Settings
from screening.storage import jobs as job_store
from screening.storage import runs as store
from screening.storage.db import Database

log = logging.getLogger(__name__)

# Task names: the contract between whoever enqueues and the workers.
SCREEN_CHUNK = "screening.screen_chunk"
FINALIZE_RUN = "screening.finalize_run"
REFRESH_LISTS = "screening.refresh_lists"
RESCREEN_REGISTER = "screening.rescreen_register"
WATCH_FOLDER = "screening.watch_folder"
SCHEDULED_TASKS = {"refresh_lists": REFRESH_LISTS, "watch_folder": WATCH_FOLDER}


def make_celery(settings: Settings) -> Celery:
    """A Celery app for ``settings.broker_url``; its tasks are in :mod:`screening.jobs.tasks`."""
    if not settings.broker_url:
        raise ConfigError(
            "SCREENING_BROKER_URL is not set: Celery needs a broker"
            " (without one, runs and schedules execute in the web process)"
        )
    timeout = settings.broker_visibility_timeout
    app = Celery("screening", include=["screening.jobs.tasks"])
    app.conf.update(
        broker_url=settings.broker_url,
        broker_connection_retry_on_startup=True,
        # Results live in the database (run rows); no result backend.
        task_ignore_result=True,
        result_expires=None,  # and so no nightly backend_cleanup task either
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=settings.celery_queue,
        task_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        enable_utc=True,
        broker_transport_options={
            "visibility_timeout": timeout,
            # Look for tasks of dead workers often enough to honour the timeout.
            "unacked_restore_interval": max(1.0, min(60.0, timeout / 2)),
            "unacked_restore_throttle": 1,
        },
        beat_schedule=beat_schedule(settings),
        beat_schedule_filename=str(settings.instance_path / "celerybeat-schedule"),
    )
    app.screening_settings = settings  # read by StalledRunSweeper in the worker
    app.steps["worker"].add(StalledRunSweeper)
    return app


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """Celery beat entries for ``SCREENING_SCHEDULES`` (cron fields in UTC)."""
    schedule: dict[str, dict[str, Any]] = {}
    for job, expr in settings.schedule_items():
        minute, hour, day, month, weekday = expr.split()
        schedule[job] = {
            "task": SCHEDULED_TASKS[job],
            "schedule": crontab(
                minute=minute, hour=hour, day_of_month=day, month_of_year=month, day_of_week=weekday
            ),
        }
    return schedule


class CeleryRunner:
    """Hands runs to Celery workers: one ``screen_chunk`` task per pending chunk."""

    def __init__(
        self, settings: Settings, db: Database | None = None, app: Celery | None = None
    ) -> None:
        self.settings = settings
        self.app = app if app is not None else make_celery(settings)
        self._db = db

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = Database(self.settings.database_url)
        return self._db

    def submit(self, run_id: str) -> None:
        """Mark the run running and enqueue its pending chunks (again, if resubmitted)."""
        with self.db.session() as session:
            store.set_status(session, run_id, "running")
            numbers = store.pending_chunks(session, run_id)
        with self.app.producer_or_acquire() as producer:
            if not numbers:  # nothing to screen (no rows, or all done): just finish it
                self.app.send_task(FINALIZE_RUN, args=(run_id,), producer=producer)
            for number in numbers:
                self.app.send_task(SCREEN_CHUNK, args=(run_id, number), producer=producer)

    def enqueue(self, task: str, *args: Any) -> None:
        """Send one task by name (e.g. :data:`RESCREEN_REGISTER`)."""
        self.app.send_task(task, args=args)

    def queued(self) -> int:
        """How many tasks wait in the queue (not counting those workers hold)."""
        with self.app.connection_for_write() as connection:
            try:
                return int(
                    connection.default_channel.queue_declare(
                        queue=self.settings.celery_queue, passive=True
                    ).message_count
                )
            except connection.channel_errors:  # Redis drops an empty queue's key
                return 0


def resubmit_stalled(runner: CeleryRunner, holder: str) -> list[str]:
    """Enqueue again the pending chunks of runs that no worker is screening.

    A run counts as stalled when it is running, no chunk of it finished for
    the visibility timeout, and the queue is empty (so its tasks are neither
    waiting nor being worked on). One worker per sweep interval does this (a
    lease row); duplicates of tasks that were not lost after all do nothing.
    """
    settings, db = runner.settings, runner.db
    stall = timedelta(seconds=settings.broker_visibility_timeout)
    now = datetime.now(UTC)
    step = sweep_interval(settings)
    slot = datetime.fromtimestamp(now.timestamp() // step * step, UTC)
    name = f"sweep:{settings.celery_queue}"[:64]
    try:
        with db.session() as session:
            if job_store.get_job(session, name) is None:
                job_store.add_job(session, name, slot - timedelta(seconds=step))
            if not job_store.claim_slot(
                session, name, slot, holder=holder, now=now, lease_until=now
            ):
                return []
    except job_store.DUPLICATE_ERRORS:  # another worker created the row at the same moment
        return []
    if runner.queued() > 0:
        return []
    with db.session() as session:
        stalled = job_store.stalled_runs(session, now - stall)
    for run_id in stalled:
        log.warning(
            "run %s made no progress for %.0fs and no task is queued: "
            "enqueueing its pending chunks again",
            run_id,
            stall.total_seconds(),
        )
        runner.submit(run_id)
    return stalled


def sweep_interval(settings: Settings) -> float:
    return max(1.0, min(60.0, settings.broker_visibility_timeout / 2))


class StalledRunSweeper(bootsteps.StartStopStep):  # type: ignore[misc]
    """Worker step: every sweep interval, :func:`resubmit_stalled` on the worker's event loop."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.tref: Any = None
        self.runner: CeleryRunner | None = None

    def start(self, worker: Any) -> None:
        settings: Settings = worker.app.screening_settings
        self.runner = CeleryRunner(settings, app=worker.app)
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self.tref = worker.timer.call_repeatedly(sweep_interval(settings), self.sweep)

    def sweep(self) -> None:
        assert self.runner is not None
        try:
            resubmit_stalled(self.runner, self.holder)
        except Exception:  # never take the worker down; try again next interval
            log.exception("sweeping stalled runs failed")
        finally:
            # No connection stays open in the parent that later forks pool processes.
            self.runner.db.dispose()

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None


def run_worker(
    settings: Settings, *, concurrency: int | None = None, loglevel: str = "INFO"
) -> None:
    """Run a worker in this process until it is stopped (``screening worker``)."""
    argv = [
        "worker",
        f"--loglevel={loglevel}",
        "-Q",
        settings.celery_queue,
        "-n",
        f"screening-{os.getpid()}@%h",
        # Gossip and mingle sync state between workers that we keep in the database.
        "--without-gossip",
        "--without-mingle",
    ]
    if concurrency is not None:
        argv += ["--concurrency", str(concurrency)]
    make_celery(settings).worker_main(argv)


def run_beat(settings: Settings, *, loglevel: str = "INFO") -> None:
    """Run Celery beat for ``SCREENING_SCHEDULES`` in this process (``screening beat``)."""
    if not settings.schedule_items():
        raise ConfigError("SCREENING_SCHEDULES is empty: beat has nothing to schedule")
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    make_celery(settings).start(["beat", f"--loglevel={loglevel}"])


def __getattr__(name: str) -> Celery:
    # `celery -A screening.jobs.celery_app worker` looks up `app` here.
    if name in ("app", "celery"):
        return make_celery(Settings.from_env().resolved())
    raise AttributeError(name)
