"""The jobs that schedules run, and the re-screen that follows a list activation.

``refresh_lists`` updates the list sources and re-screens the counterparty
register against every version it activated; ``watch_folder`` batch-screens
the files dropped into ``SCREENING_WATCH_FOLDER``. The embedded scheduler
(:mod:`screening.jobs.scheduler`) and Celery beat (:mod:`screening.jobs.tasks`)
both call these functions; so do the CLI's ``lists load`` / ``lists update``
through :func:`after_activation`.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from screening.jobs.batch import (
    BatchScreener,
    FileResult,
    input_files,
    report_stems,
    write_document,
)
from screening.services import lists, register
from screening.services.index import ListIndex
from screening.services.lists import LoadOutcome
from screening.settings import Settings
from screening.storage.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Note:
    """A line for the operator: what a follow-up step did, and whether it worked."""

    ok: bool
    message: str


def rescreen_and_report(
    db: Database, settings: Settings, version_id: int, *, actor: str
) -> register.RescreenResult:
    """Re-screen the register against a version and write its report files.

    The report (``rescreen-<source>-v<version>.json``, and ``.xlsx`` when some
    party is reported) goes to the instance's reports folder; its path is
    stored with the re-screen.
    """
    result = register.rescreen(db, settings, version_id, actor=actor)
    if not result.created:
        return result
    summary = register.get_rescreen(db, result.id)
    document = register.rescreen_document(db, result.id) or {"rescreen": summary}
    base = settings.reports_path / f"rescreen-{result.source}-v{version_id}"
    xlsx = base.with_suffix(".xlsx") if result.run_id is not None else None
    write_document(document, xlsx=xlsx, json_path=base.with_suffix(".json"))
    register.set_report_path(db, result.id, str(xlsx or base.with_suffix(".json")))
    log.info("%s", result.message)
    return result


def after_activation(
    db: Database, settings: Settings, outcomes: Sequence[LoadOutcome], *, actor: str
) -> list[Note]:
    """Re-screen the register for every version that ``outcomes`` activated.

    Here and now, or as a Celery task when a broker is configured. Nothing
    happens while the register is empty. A failed re-screen is a note with
    ``ok=False``; it never undoes the activation.
    """
    activated = [o for o in outcomes if o.status == "activated" and o.version_id is not None]
    if not activated or register.party_count(db) == 0:
        return []
    notes: list[Note] = []
    if settings.broker_url:
        from screening.jobs.celery_app import RESCREEN_REGISTER, CeleryRunner

        celery = CeleryRunner(settings, db)
        for outcome in activated:
            celery.enqueue(RESCREEN_REGISTER, outcome.version_id)
            notes.append(
                Note(
                    True,
                    f"{outcome.source}: register re-screen against version "
                    f"{outcome.version_id} queued",
                )
            )
        return notes
    for outcome in activated:
        assert outcome.version_id is not None
        try:
            result = rescreen_and_report(db, settings, outcome.version_id, actor=actor)
            notes.append(Note(True, result.message))
        except Exception as exc:  # the version is active either way; say what failed
            log.exception("register re-screen of %s failed", outcome.source)
            notes.append(Note(False, f"{outcome.source}: register re-screen failed: {exc}"))
    return notes


def refresh_lists(
    db: Database, settings: Settings, *, sources: list[str] | None = None, actor: str = "scheduler"
) -> list[LoadOutcome]:
    """Update the sources (mirror or official URLs), then re-screen the register in-process."""
    outcomes = lists.update_sources(db, settings, sources=sources, actor=actor)
    for outcome in outcomes:
        log.log(logging.INFO if outcome.ok else logging.ERROR, "%s", outcome.message)
    # In-process even with a broker: this already runs on a worker (or the scheduler thread).
    for note in after_activation(db, _without_broker(settings), outcomes, actor=actor):
        log.log(logging.INFO if note.ok else logging.ERROR, "%s", note.message)
    return outcomes


def _without_broker(settings: Settings) -> Settings:
    from dataclasses import replace

    return replace(settings, broker_url="")


def watch_folder(
    db: Database,
    settings: Settings,
    index: Callable[[], ListIndex],
    *,
    actor: str = "scheduler",
    min_age: float = 30.0,
    clock: Callable[[], float] = time.time,
) -> list[FileResult]:
    """Batch-screen the files in the watch folder; move each to ``done/`` (or ``failed/``).

    Files modified less than ``min_age`` seconds ago are left for the next run
    (they may still be being copied in). Reports go to the watch output folder;
    a failed file gets a ``<name>.error.txt`` beside it in ``failed/``.
    """
    folder, out = settings.watch_folder, settings.watch_reports_path
    if folder is None or out is None:
        return []
    files = [f for f in input_files(folder) if clock() - f.stat().st_mtime >= min_age]
    screener = BatchScreener(settings, index=index, db=db, actor=actor, channel="schedule")
    results = []
    for path, stem in report_stems(files).items():
        result = screener.screen_file(path, out, stem)
        target = _move(path, folder / ("done" if result.ok else "failed"))
        if not result.ok:
            target.with_name(target.name + ".error.txt").write_text(
                (result.error or "") + "\n", encoding="utf-8"
            )
        log.log(logging.INFO if result.ok else logging.ERROR, "watch folder: %s", result.summary())
        results.append(result)
    return results


def _move(path: Path, folder: Path) -> Path:
    """Move ``path`` into ``folder``, never over an earlier file of the same name."""
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        target = folder / f"{path.stem}.{stamp}{path.suffix}"
    return Path(shutil.move(str(path), str(target)))
