"""Submitting screenings from the web (UI uploads and API calls share this)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import FileStorage

from screening.errors import InvalidInput
from screening.intake import IntakeResult, read_json_rows, read_shipments
from screening.jobs.runner import run_in_process
from screening.services import runs
from screening.web.extensions import Services


@dataclass
class Submitted:
    run_id: str
    synchronous: bool
    rows: int


def read_upload(
    app: Services, upload: FileStorage | None, overrides: dict[str, str | None] | None = None
) -> IntakeResult:
    """Read an uploaded file; its name is only a label, never a path.

    Raises:
        InvalidInput: no file was sent.
    """
    if upload is None or not upload.filename:
        raise InvalidInput("send the file as multipart/form-data field 'file'")
    data = upload.read(app.settings.max_upload_bytes + 1)
    return read_shipments(
        data,
        upload.filename,
        mapping_overrides=overrides or None,
        max_bytes=app.settings.max_upload_bytes,
        max_rows=app.settings.max_rows,
    )


def read_json_body(app: Services, body: dict[str, Any]) -> IntakeResult:
    return read_json_rows(
        body["shipments"],
        mapping_overrides=body.get("mapping") or None,
        max_rows=app.settings.max_rows,
    )


def parse_mapping_field(raw: str | None) -> dict[str, str | None]:
    """The optional multipart field 'mapping': a JSON object {"Ship-to": "consignee"}.

    Raises:
        InvalidInput: not a JSON object of strings.
    """
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        raise InvalidInput(
            '\'mapping\' must be a JSON object like {"Ship-to": "consignee"}'
        ) from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
    ):
        raise InvalidInput("'mapping' must be a JSON object of column name to field name")
    return value


def submit(
    app: Services,
    intake: IntakeResult,
    *,
    actor: str,
    channel: str,
    input_name: str | None,
    force_async: bool = False,
) -> Submitted:
    """Store the run; screen it now when small, else hand it to the runner."""
    mapping = {str(sheet or ""): m.as_dict() for sheet, m in intake.mappings.items()}
    run_id = runs.create_run(
        app.db,
        intake.rows,
        errors=intake.errors,
        actor=actor,
        channel=channel,
        input_name=input_name,
        input_sha256=intake.sha256,
        mapping=mapping,
    )
    if len(intake.rows) <= app.settings.sync_rows and not force_async:
        run_in_process(app.db, app.index, app.settings, run_id)
        return Submitted(run_id, True, len(intake.rows))
    app.index.get()  # fail now (503) rather than in the background when no list is loaded
    app.runner.submit(run_id)
    return Submitted(run_id, False, len(intake.rows))
