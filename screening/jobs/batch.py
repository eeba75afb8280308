"""Batch screening: every shipment file of a folder screened, each with its own report.

One file's failure (unreadable, wrong columns, too large) is recorded in its
:class:`FileResult` and never stops the others. With a database each file is
a stored run (channel ``batch``), screened here or, when a runner is given
(Celery), by the workers while this process waits; without one (a mirror
folder) the file is screened in memory and nothing is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screening.errors import InvalidInput, ScreeningError
from screening.intake import read_shipments
from screening.jobs.runner import Progress, Runner, run_in_process, wait_for_run
from screening.services import runs
from screening.services.index import ListIndex
from screening.services.screening import screen_shipments
from screening.settings import Settings
from screening.storage.db import Database

log = logging.getLogger(__name__)

SUFFIXES = (".xlsx", ".csv", ".json")
VERDICTS = ("blocked", "high", "medium", "low", "clear")


@dataclass
class FileResult:
    """What became of one input file."""

    path: Path
    ok: bool
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    input_errors: int = 0
    report: Path | None = None
    json_path: Path | None = None
    run_id: str | None = None
    error: str | None = None

    def summary(self) -> str:
        """One line: ``name: N shipments, 2 blocked, ... -> report`` (or the failure)."""
        if not self.ok:
            return f"{self.path.name}: FAILED: {self.error}"
        counts = ", ".join(f"{self.counts.get(v, 0)} {v}" for v in VERDICTS)
        errors = f", {self.input_errors} input errors" if self.input_errors else ""
        return f"{self.path.name}: {self.rows} shipments, {counts}{errors} -> {self.report}"


def input_files(path: Path) -> list[Path]:
    """``path`` itself, or the .xlsx/.csv/.json files directly in folder ``path``, by name.

    Raises:
        InvalidInput: no such file or folder.
    """
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InvalidInput(f"{path}: no such file or folder")
    return sorted(
        p
        for p in path.iterdir()
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith((".", "~$"))
    )  # hidden files, Excel lock files


def report_stems(files: Sequence[Path]) -> dict[Path, str]:
    """The report name of each file: its stem, or its full name when two stems collide."""
    stems = [f.stem for f in files]
    return {f: f.stem if stems.count(f.stem) == 1 else f.name for f in files}


def write_document(
    document: Mapping[str, Any], *, xlsx: Path | None, json_path: Path | None
) -> None:
    """Write a screening document as the Excel report and/or JSON."""
    from reports import write_json, write_report

    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        write_json(document, json_path)
    if xlsx is not None:
        xlsx.parent.mkdir(parents=True, exist_ok=True)
        write_report(document, xlsx)


class BatchScreener:
    """Screens files one by one with one index, one database and one runner."""

    def __init__(
        self,
        settings: Settings,
        *,
        index: Callable[[], ListIndex],
        db: Database | None = None,
        runner: Runner | None = None,
        mapping_overrides: Mapping[str, str | None] | None = None,
        actor: str = "batch",
        channel: str = "batch",
    ) -> None:
        """``index`` is called only when this process screens (lazily: workers have their own)."""
        self.settings = settings
        self.index = index
        self.db = db
        self.runner = runner
        self.mapping_overrides = dict(mapping_overrides or {})
        self.actor = actor
        self.channel = channel

    def screen_file(
        self,
        path: Path,
        out_dir: Path,
        stem: str | None = None,
        progress: Progress | None = None,
        on_idle: Callable[[float], None] | None = None,
    ) -> FileResult:
        """Screen one file and write ``<stem>.xlsx`` and ``<stem>.json`` into ``out_dir``."""
        stem = stem or path.stem
        try:
            return self._screen(path, out_dir, stem, progress, on_idle)
        except ScreeningError as exc:
            return FileResult(path=path, ok=False, error=exc.message)
        except Exception as exc:  # one broken file must not stop the batch
            log.exception("batch screening of %s failed", path)
            return FileResult(path=path, ok=False, error=f"{type(exc).__name__}: {exc}")

    def _screen(
        self,
        path: Path,
        out_dir: Path,
        stem: str,
        progress: Progress | None,
        on_idle: Callable[[float], None] | None,
    ) -> FileResult:
        settings = self.settings
        intake = read_shipments(
            path.read_bytes(),
            path.name,
            mapping_overrides=self.mapping_overrides,
            max_bytes=settings.max_upload_bytes,
            max_rows=settings.max_rows,
        )
        mapping = {str(sheet or ""): m.as_dict() for sheet, m in intake.mappings.items()}
        run_id: str | None = None
        if self.db is None:
            document = self._in_memory(
                intake.rows, intake.errors, path.name, intake.sha256, mapping, progress
            )
        else:
            run_id = runs.create_run(
                self.db,
                intake.rows,
                errors=intake.errors,
                actor=self.actor,
                channel=self.channel,
                input_name=path.name,
                input_sha256=intake.sha256,
                mapping=mapping,
            )
            if self.runner is None:
                run_in_process(self.db, self.index(), settings, run_id, progress)
            else:
                self.runner.submit(run_id)
                if wait_for_run(self.db, run_id, progress=progress, on_idle=on_idle) != "done":
                    document = runs.run_document(self.db, run_id, self.settings.claims_file)
                    raise InvalidInput(f"run {run_id} failed: {document['run']['error']}")
            document = runs.run_document(self.db, run_id, self.settings.claims_file)
        report, json_path = out_dir / f"{stem}.xlsx", out_dir / f"{stem}.json"
        write_document(document, xlsx=report, json_path=json_path)
        return FileResult(
            path=path,
            ok=True,
            rows=len(intake.rows),
            counts=dict(document["run"]["counts"]),
            input_errors=len(intake.errors),
            report=report,
            json_path=json_path,
            run_id=run_id,
        )

    def _in_memory(
        self,
        rows: Sequence[Any],
        errors: Sequence[Any],
        name: str,
        sha256: str,
        mapping: dict[str, Any],
        progress: Progress | None,
    ) -> dict[str, Any]:
        index = self.index()
        step = runs.CHUNK
        if progress is not None:
            progress(0, len(rows))
        outcome = screen_shipments(
            rows[:step],
            index,
            self.settings,
            errors=errors,
            input_name=name,
            input_sha256=sha256,
            actor=self.actor,
            channel=self.channel,
            mapping=mapping,
        )
        for start in range(step, len(rows), step):
            if progress is not None:
                progress(start, len(rows))
            outcome.results.extend(
                screen_shipments(rows[start : start + step], index, self.settings).results
            )
        outcome.run["input"]["rows"] = len(rows)
        if progress is not None:
            progress(len(rows), len(rows))
        return outcome.document()
