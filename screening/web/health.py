"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from screening.storage import list_store
from screening.storage.db import migration_state, ping
from screening.web.extensions import services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, Any]:
    """The process is up and serving requests."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """Ready = database reachable, migrations current, at least one list version active."""
    db = services().db
    try:
        ping(db.engine)
    except Exception as exc:
        return {"ready": False, "reason": f"database unreachable: {type(exc).__name__}"}, 503
    current, head = migration_state(db.engine)
    if current != head:
        return {
            "ready": False,
            "reason": f"database schema at {current or 'none'}, code expects {head}; run `screening db upgrade`",
        }, 503
    with db.session() as session:
        active = list_store.active_versions(session)
        lists = [
            {
                "source": v.source,
                "version": v.id,
                "as_of": v.as_of.isoformat() if v.as_of else None,
                "entries": v.entry_count,
            }
            for v in active
        ]
    if not lists:
        return {
            "ready": False,
            "reason": "no list version is active; run `screening lists load` or `screening lists update`",
        }, 503
    return {"ready": True, "lists": lists}, 200
