"""The compliance officer's web UI: upload, confirm mapping, follow progress, review, download.

Server-rendered; every step works without JavaScript (a small script only adds
drag and drop). Views stay thin: they read the request, call a use-case, render.
"""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue

from screening.core.claims import load_claims
from screening.errors import InvalidInput, NotFound, ScreeningError
from screening.intake import read_shipments
from screening.intake.mapping import FIELDS
from screening.services import accounts, runs
from screening.services import lists as list_service
from screening.storage import runs as run_store
from screening.web import uploads
from screening.web.api.claims import search_claims
from screening.web.auth import current_principal, login_required
from screening.web.extensions import services
from screening.web.reports import report_file
from screening.web.submit import submit

bp = Blueprint("ui", __name__)

VERDICTS = ("blocked", "high", "medium", "low", "clear")
PAGE = 100


@bp.app_template_filter("json_text")
def json_text(value: object) -> str:
    """JSON for showing to a person: non-Latin names stay readable (escaped by Jinja)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _actor() -> str:
    principal = current_principal()
    return principal.name if principal else "unknown"


@bp.get("/")
@login_required("read")
def index() -> ResponseReturnValue:
    return redirect(url_for("ui.screenings"))


# -- screenings ---------------------------------------------------------------


@bp.get("/screenings")
@login_required("read")
def screenings() -> ResponseReturnValue:
    page = max(1, request.args.get("page", 1, type=int) or 1)
    with services().db.session() as session:
        found, total = run_store.list_runs(session, limit=50, offset=(page - 1) * 50)
    return render_template(
        "screenings.html",
        runs=found,
        total=total,
        page=page,
        max_bytes=services().settings.max_upload_bytes,
    )


@bp.post("/screenings/upload")
@login_required("screen")
def upload() -> ResponseReturnValue:
    """Read the file, then show the column mapping for confirmation."""
    app = services()
    file = request.files.get("file")
    if file is None or not file.filename:
        flash("Choose a file to upload (.xlsx, .csv or .json).", "error")
        return redirect(url_for("ui.screenings"))
    data = file.read(app.settings.max_upload_bytes + 1)
    try:
        intake = read_shipments(
            data,
            file.filename,
            max_bytes=app.settings.max_upload_bytes,
            max_rows=app.settings.max_rows,
        )
    except ScreeningError as exc:
        flash(f"{file.filename}: {exc.message}", "error")
        return redirect(url_for("ui.screenings"))
    token = uploads.save(app.settings, data, file.filename, _actor())
    return render_template(
        "mapping.html", token=token, filename=file.filename, intake=intake, fields=FIELDS
    )


@bp.post("/screenings/confirm")
@login_required("screen")
def confirm() -> ResponseReturnValue:
    """Screen the uploaded file with the confirmed (or corrected) mapping."""
    app = services()
    token = request.form.get("token", "")
    try:
        data, filename = uploads.load(app.settings, token, _actor())
    except NotFound:
        flash("That upload has expired; please upload the file again.", "error")
        return redirect(url_for("ui.screenings"))
    overrides: dict[str, str | None] = {}
    for key, value in request.form.items():
        if key.startswith("map::"):
            overrides[key[5:]] = value or None
    try:
        intake = read_shipments(
            data,
            filename,
            mapping_overrides=overrides,
            max_bytes=app.settings.max_upload_bytes,
            max_rows=app.settings.max_rows,
        )
        done = submit(app, intake, actor=_actor(), channel="web", input_name=filename)
    except ScreeningError as exc:
        flash(f"{filename}: {exc.message}", "error")
        return render_template(
            "mapping.html",
            token=token,
            filename=filename,
            intake=_safe_intake(data, filename),
            fields=FIELDS,
        ), 400
    uploads.discard(app.settings, token)
    return redirect(url_for("ui.screening", run_id=done.run_id))


def _safe_intake(data: bytes, filename: str) -> Any:
    app = services()
    try:
        return read_shipments(
            data, filename, max_bytes=app.settings.max_upload_bytes, max_rows=app.settings.max_rows
        )
    except ScreeningError:
        return None


@bp.get("/screenings/<run_id>")
@login_required("read")
def screening(run_id: str) -> ResponseReturnValue:
    document = _document(run_id)
    verdict = request.args.get("verdict") or ""
    text = (request.args.get("q") or "").strip()
    shipments = [
        s
        for s in document["shipments"]
        if (not verdict or s["verdict"] == verdict) and _matches(s, text)
    ]
    return render_template(
        "screening.html",
        doc=document,
        run=document["run"],
        shipments=shipments[:1000],
        shown_all=len(shipments) <= 1000,
        matching=len(shipments),
        verdict=verdict,
        q=text,
        verdicts=VERDICTS,
    )


def _matches(item: dict[str, Any], text: str) -> bool:
    if not text:
        return True
    needle = text.casefold()
    shipment = item["shipment"]
    hay = [
        item.get("shipment_id") or "",
        *(p["name"] for p in shipment.get("parties", [])),
        shipment.get("goods_description") or "",
        shipment.get("hs_code") or "",
    ]
    return any(needle in h.casefold() for h in hay)


def _document(run_id: str) -> dict[str, Any]:
    try:
        return runs.run_document(services().db, run_id, services().settings.claims_file)
    except NotFound:
        abort(404)


@bp.get("/screenings/<run_id>/rows/<int:row>")
@login_required("read")
def shipment(run_id: str, row: int) -> ResponseReturnValue:
    sheet = request.args.get("sheet") or ""
    document = _document(run_id)
    item = next(
        (s for s in document["shipments"] if s["row"] == row and (s["sheet"] or "") == sheet), None
    )
    if item is None:
        abort(404)
    with services().db.session() as session:
        hit_ids = {
            (h.role, h.entity_id, h.party_name): (h.id, h.status)
            for h in run_store.hits_of_shipment(session, run_id, sheet, row)
        }
    claims = {c["id"]: c for c in document["claims"]}
    principal = current_principal()
    return render_template(
        "shipment.html",
        run=document["run"],
        item=item,
        claims=claims,
        hit_ids=hit_ids,
        can_review=bool(principal and principal.can("review")),
    )


@bp.post("/hits/<int:hit_id>/decision")
@login_required("review")
def decide(hit_id: int) -> ResponseReturnValue:
    decision = request.form.get("decision", "")
    reason = request.form.get("reason", "")
    back = request.form.get("back") or url_for("ui.screenings")
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("ui.screenings")
    try:
        runs.decide(services().db, hit_id=hit_id, decision=decision, reason=reason, actor=_actor())
    except InvalidInput as exc:
        flash(exc.message, "error")
        return redirect(back)
    except NotFound:
        abort(404)
    label = (
        "dismissed as a false positive"
        if decision == "false_positive"
        else "confirmed as a true match"
    )
    flash(f"Hit {label}.", "success")
    return redirect(back)


@bp.get("/screenings/<run_id>/report.xlsx")
@login_required("read")
def report(run_id: str) -> ResponseReturnValue:
    path = report_file(services(), run_id)
    return send_file(
        path,
        as_attachment=True,
        download_name=f"screening-{run_id}.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# -- lists and claims -----------------------------------------------------------


@bp.get("/lists")
@login_required("read")
def lists() -> ResponseReturnValue:
    rows = list_service.status(services().db)
    diffs: dict[str, Any] = {}
    for row in rows:
        if row["active"] and row["version"]:
            try:
                diffs[row["source"]] = list_service.diff_versions(services().db, row["source"])
            except NotFound:
                diffs[row["source"]] = None
    return render_template("lists.html", rows=rows, diffs=diffs)


@bp.get("/claims")
@login_required("read")
def claims() -> ResponseReturnValue:
    text = (request.args.get("q") or "").strip()
    tag = request.args.get("tag") or None
    found = search_claims(text or None, tag)
    tags = sorted({t for c in load_claims(services().settings.claims_file) for t in c.tags})
    return render_template("claims.html", claims=found, q=text, tag=tag or "", tags=tags)


# -- admin ----------------------------------------------------------------------


@bp.get("/admin")
@login_required("admin")
def admin() -> ResponseReturnValue:
    db = services().db
    return render_template(
        "admin.html", users=accounts.list_users(db), keys=accounts.list_api_keys(db), new_key=None
    )


@bp.post("/admin/api-keys")
@login_required("admin")
def create_key() -> ResponseReturnValue:
    db = services().db
    try:
        _key, plaintext = accounts.create_api_key(
            db, request.form.get("name", ""), request.form.getlist("scope"), _actor()
        )
    except InvalidInput as exc:
        flash(exc.message, "error")
        return redirect(url_for("ui.admin"))
    # Shown once, on this response only; it is stored hashed.
    return render_template(
        "admin.html",
        users=accounts.list_users(db),
        keys=accounts.list_api_keys(db),
        new_key=plaintext,
    )


@bp.post("/admin/api-keys/<prefix>/revoke")
@login_required("admin")
def revoke_key(prefix: str) -> ResponseReturnValue:
    try:
        accounts.revoke_api_key(services().db, prefix, _actor())
        flash(f"API key {prefix} revoked.", "success")
    except ScreeningError as exc:
        flash(exc.message, "error")
    return redirect(url_for("ui.admin"))


@bp.post("/admin/users")
@login_required("admin")
def create_user() -> ResponseReturnValue:
    try:
        accounts.create_user(
            services().db,
            request.form.get("username", ""),
            request.form.get("password", ""),
            request.form.get("role", ""),
            _actor(),
        )
        flash("User created.", "success")
    except ScreeningError as exc:
        flash(exc.message, "error")
    return redirect(url_for("ui.admin"))
