"""Screenings: submit shipments (JSON rows or a file), read results, download the report."""

from __future__ import annotations

from typing import Any

from flask import Response, request, send_file, url_for
from flask_smorest import Blueprint
from flask_smorest.pagination import PaginationParameters

from screening.errors import InvalidInput
from screening.services import runs
from screening.storage import runs as run_store
from screening.web.api.schemas import (
    RunQuerySchema,
    RunSummarySchema,
    ScreeningAcceptedSchema,
    ScreeningRequestSchema,
    ScreeningSchema,
)
from screening.web.auth import api_auth, current_principal
from screening.web.extensions import services
from screening.web.reports import report_file
from screening.web.submit import parse_mapping_field, read_json_body, read_upload, submit

blp = Blueprint(
    "screenings",
    __name__,
    url_prefix="/api/v1/screenings",
    description="Screen shipments: parties, goods and routes, with one verdict each.",
)

_REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": ScreeningRequestSchema},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": ".xlsx, .csv or .json file",
                    },
                    "mapping": {
                        "type": "string",
                        "description": 'JSON object: {"Ship-to": "consignee"}',
                    },
                },
            }
        },
    },
}


@blp.route("", methods=["POST"])
@api_auth("screen")
@blp.doc(requestBody=_REQUEST_BODY)
@blp.response(201, ScreeningSchema, description="Screened now (small inputs).")
@blp.alt_response(
    202,
    schema=ScreeningAcceptedSchema,
    description="Accepted; poll the Location until status is done.",
)
def create() -> Any:
    """Screen shipments given as JSON rows or as an uploaded file.

    Inputs up to `SCREENING_SYNC_ROWS` rows are screened at once (201 with the result);
    larger ones answer 202 with a `Location` to poll.
    """
    app = services()
    if request.mimetype == "multipart/form-data":
        intake = read_upload(
            app, request.files.get("file"), parse_mapping_field(request.form.get("mapping"))
        )
        name = request.files["file"].filename
    elif request.is_json:
        body = ScreeningRequestSchema().load(request.get_json(silent=True) or {})
        intake, name = read_json_body(app, body), body.get("name")
    else:
        raise InvalidInput("send JSON ({\"shipments\": [...]}) or multipart/form-data with 'file'")
    principal = current_principal()
    done = submit(
        app,
        intake,
        actor=principal.name if principal else "unknown",
        channel="api",
        input_name=name,
    )
    location = url_for("screenings.get_one", run_id=done.run_id)
    if done.synchronous:
        return (
            runs.run_document(app.db, done.run_id, app.settings.claims_file),
            201,
            {"Location": location},
        )
    body = {"id": done.run_id, "status": "queued", "location": location, "rows": done.rows}
    return Response(
        ScreeningAcceptedSchema().dumps(body),
        status=202,
        headers={"Location": location},
        mimetype="application/json",
    )


@blp.route("", methods=["GET"])
@api_auth("read")
@blp.response(200, RunSummarySchema(many=True))
@blp.paginate()
def list_runs(pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """Screening runs, newest first (paginated; see the X-Pagination header)."""
    with services().db.session() as session:
        # A page far past the end is just empty; clamp so SQL never sees a huge OFFSET.
        offset = min(pagination_parameters.first_item, 2**31)
        found, total = run_store.list_runs(
            session, limit=pagination_parameters.page_size, offset=offset
        )
        pagination_parameters.item_count = total
        return [
            {
                "id": r.id,
                "status": r.status,
                "created_at": r.created_at.isoformat(),
                "created_by": r.created_by,
                "channel": r.channel,
                "input_name": r.input_name,
                "row_count": r.row_count,
                "rows_done": r.rows_done,
                "counts": r.summary,
                "error": r.error,
            }
            for r in found
        ]


@blp.route("/<string:run_id>", methods=["GET"])
@api_auth("read")
@blp.arguments(RunQuerySchema, location="query")
@blp.response(200, ScreeningSchema)
def get_one(query: dict[str, Any], run_id: str) -> dict[str, Any]:
    """One run: status and progress, and when done its shipments, flags, citations and list versions."""
    document = runs.run_document(services().db, run_id, services().settings.claims_file)
    if query.get("verdict"):
        document["shipments"] = [
            s for s in document["shipments"] if s["verdict"] == query["verdict"]
        ]
    return document


@blp.route("/<string:run_id>/report.xlsx", methods=["GET"])
@api_auth("read")
@blp.response(
    200,
    description="The Excel risk report.",
    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
def report(run_id: str) -> Response:
    """The Excel risk report of a finished run."""
    path = report_file(services(), run_id)
    return send_file(
        path,
        as_attachment=True,
        download_name=f"screening-{run_id}.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
