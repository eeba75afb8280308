"""Report files of runs: written once, atomically, into the instance folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from screening.errors import NotFound, ScreeningError
from screening.services import runs
from screening.web.extensions import Services


class ReportUnavailable(ScreeningError):
    status = 503
    title = "Report could not be written"


class RunNotFinished(ScreeningError):
    status = 409
    title = "Run not finished"


def report_file(app: Services, run_id: str) -> Path:
    """The run's Excel report, written on first request.

    The file is written under a temporary name and renamed into place, so a
    failure (disk full) never leaves a partial report to download.

    Raises:
        NotFound: no such run.
        RunNotFinished: the run is still running or failed.
        ReportUnavailable: the report could not be written.
    """
    document = runs.run_document(app.db, run_id, app.settings.claims_file)
    status = document["run"].get("status")
    if status != "done":
        raise RunNotFinished(f"run {run_id} is {status}; the report is available when it is done")
    folder = app.settings.reports_path
    path = folder / f"{_safe(run_id)}.xlsx"
    if path.exists():
        return path
    from reports import write_report

    # Build the workbook in scratch space, then copy it into the reports folder under a
    # temporary name and rename it into place: a full disk fails the copy, cleanly,
    # and never leaves a partial report behind to download.
    with tempfile.TemporaryDirectory(prefix="report-") as scratch:
        built = Path(scratch) / "report.xlsx"
        write_report(document, built)
        temp: Path | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".xlsx")
            os.close(handle)
            temp = Path(name)
            shutil.copyfile(built, temp)
            os.replace(temp, path)
        except OSError as exc:
            if temp is not None:
                temp.unlink(missing_ok=True)
            raise ReportUnavailable(f"could not write the report: {exc.strerror or exc}") from None
    return path


def _safe(run_id: str) -> str:
    if not run_id.replace("-", "").isalnum():
        raise NotFound(f"no screening run {run_id!r}")
    return run_id
