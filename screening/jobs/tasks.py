"""Celery tasks: ids in, one use-case call, nothing else.

Each worker process builds its settings, database and list index once, on its
first task (never in the parent before the fork, so no connection is shared
between processes), and keeps them: the index is loaded once per process and
swapped only when a new list version activates.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from celery import Task, shared_task
from celery.signals import worker_process_init

from screening.jobs import runner, scheduled
from screening.jobs.celery_app import (
    FINALIZE_RUN,
    REFRESH_LISTS,
    RESCREEN_REGISTER,
    SCREEN_CHUNK,
    WATCH_FOLDER,
)
from screening.services.index import IndexCache
from screening.settings import Settings
from screening.storage.db import Database
from screening.storage.jobs import TRANSIENT_ERRORS

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def _task(name: str, **options: Any) -> Callable[[F], F]:
    """``shared_task`` with types: tasks are sent by name, never through these objects."""
    decorator: Callable[[F], F] = shared_task(name=name, bind=True, **options)
    return decorator


@dataclass
class WorkerState:
    settings: Settings
    db: Database
    cache: IndexCache


_state: WorkerState | None = None
_lock = threading.Lock()


def worker_state() -> WorkerState:
    """This process's settings, database and index cache, built on first use."""
    global _state
    with _lock:
        if _state is None:
            settings = Settings.from_env().resolved()
            db = Database(settings.database_url)
            _state = WorkerState(settings=settings, db=db, cache=IndexCache(db))
        return _state


def _forget_parent_state(**_: Any) -> None:
    # A forked child must open its own connections.
    global _state
    _state = None


worker_process_init.connect(_forget_parent_state)


def _retry_or_fail(task: Task, exc: Exception, run_id: str | None = None) -> NoReturn:
    """Retry a transient database error with backoff; record anything else on the run."""
    state = worker_state()
    if isinstance(exc, TRANSIENT_ERRORS) and task.request.retries < (task.max_retries or 0):
        raise task.retry(exc=exc, countdown=min(60, 2**task.request.retries))
    if run_id is not None:
        runner.fail_run(state.db, run_id, exc)
    raise exc


@_task(SCREEN_CHUNK, max_retries=8)
def screen_chunk(self: Task, run_id: str, number: int) -> bool:
    """Screen chunk ``number`` of run ``run_id``; the last one done finishes the run."""
    state = worker_state()
    try:
        return runner.run_chunk(state.db, state.cache, state.settings, run_id, number)
    except Exception as exc:
        _retry_or_fail(self, exc, run_id)


@_task(FINALIZE_RUN, max_retries=8)
def finalize_run(self: Task, run_id: str) -> bool:
    """Finish a run whose chunks are all done (a run with no rows has none)."""
    state = worker_state()
    try:
        return runner.finish_run(state.db, state.cache, state.settings, run_id)
    except Exception as exc:
        _retry_or_fail(self, exc, run_id)


@_task(REFRESH_LISTS)
def refresh_lists(self: Task, sources: list[str] | None = None) -> list[dict[str, Any]]:
    """Refresh list sources, then re-screen the register against each new version."""
    state = worker_state()
    outcomes = scheduled.refresh_lists(state.db, state.settings, sources=sources, actor="celery")
    return [o.to_dict() for o in outcomes]


@_task(RESCREEN_REGISTER, max_retries=8)
def rescreen_register(self: Task, version_id: int) -> dict[str, Any]:
    """Re-screen the register against what list version ``version_id`` added or changed."""
    state = worker_state()
    try:
        result = scheduled.rescreen_and_report(state.db, state.settings, version_id, actor="celery")
    except Exception as exc:
        _retry_or_fail(self, exc)
    return {"id": result.id, "message": result.message}


@_task(WATCH_FOLDER)
def watch_folder(self: Task) -> list[str]:
    """Screen the files dropped into the watch folder; returns their summary lines."""
    state = worker_state()
    results = scheduled.watch_folder(state.db, state.settings, state.cache.get, actor="celery")
    return [r.summary() for r in results]
