"""Stored screening runs: screen and store in chunks, read back, decide on hits.

A run's input rows are stored in chunks when it is created. Each chunk is
screened and its results written in one transaction that also marks it done,
so a failure part-way leaves the chunks already done intact, a retried chunk
never duplicates rows, and the same code serves in-process runs and Celery
workers on several machines.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

from screening.core.claims import load_claims
from screening.core.rules.base import Flag, ShipmentResult, Verdict
from screening.core.shipments import RowError, ShipmentRow
from screening.errors import InvalidInput, NotFound, ScreeningError
from screening.services.index import IndexLike, ListIndex, resolve_index, version_ids
from screening.services.screening import (
    ScreeningOutcome,
    Suppression,
    claim_dict,
    screen_shipments,
)
from screening.settings import Settings
from screening.storage import list_store
from screening.storage import runs as store
from screening.storage.audit import audit
from screening.storage.db import Database

log = logging.getLogger(__name__)

CHUNK = 500


def suppressions(
    db: Database, current: Mapping[str, str] | None = None
) -> dict[tuple[str, str], Suppression]:
    """Reviewers' current dismissals, keyed by (party key, entity id).

    Each carries the entry's data as dismissed, so a re-opened hit can show
    what changed in the entry since. Given ``current`` (the fingerprints of the
    entries being screened against, by entity id), only dismissals of entries
    that changed carry it: the others stay suppressed and never need it.
    """
    with db.session() as session:
        dismissed = [d for d in store.latest_decisions(session) if d.decision == "false_positive"]
        datas = list_store.entry_datas_by_fingerprint(
            session,
            [
                (d.entity_id, d.entry_fingerprint)
                for d in dismissed
                if d.entry_fingerprint
                and (current is None or current.get(d.entity_id) != d.entry_fingerprint)
            ],
        )
        return {
            (d.party_key, d.entity_id): Suppression(
                party_key=d.party_key,
                entity_id=d.entity_id,
                fingerprint=d.entry_fingerprint,
                reason=d.reason,
                decided_by=d.decided_by,
                decided_at=d.decided_at.isoformat(),
                decision_id=d.id,
                entry_data=(
                    datas.get((d.entity_id, d.entry_fingerprint)) if d.entry_fingerprint else None
                ),
            )
            for d in dismissed
        }


def create_run(
    db: Database,
    rows: Sequence[ShipmentRow],
    *,
    errors: Sequence[RowError] = (),
    actor: str,
    channel: str,
    input_name: str | None = None,
    input_sha256: str | None = None,
    mapping: dict[str, Any] | None = None,
    run_id: str | None = None,
    chunk_size: int = CHUNK,
    list_versions: Sequence[int] | None = None,
) -> str:
    """Store a run and its input rows in chunks (status ``queued``); returns the run id.

    The run is pinned to ``list_versions`` (stored version ids; by default the
    versions active now, read in the same transaction): every chunk is screened
    against them, on whichever worker and whenever it runs, so a list activated
    while the run is under way does not make its rows disagree on the lists.
    """
    run_id = run_id or str(uuid.uuid4())
    with db.session() as session:
        if list_versions is None:
            list_versions = [v.id for v in list_store.active_versions(session)]
        store.create_run(
            session,
            run_id=run_id,
            actor=actor,
            channel=channel,
            input_name=input_name,
            input_sha256=input_sha256,
            params={"mapping": mapping or {}, "list_version_ids": sorted(set(list_versions))},
            row_count=len(rows),
            status="queued",
            input_errors=[e.to_dict() for e in errors],
        )
        store.add_chunks(
            session,
            run_id,
            [
                [r.to_dict() for r in rows[start : start + chunk_size]]
                for start in range(0, len(rows), chunk_size)
            ],
        )
        audit(
            session,
            actor,
            "screening.submitted",
            target=run_id,
            details={
                "input": {
                    "name": input_name,
                    "sha256": input_sha256,
                    "rows": len(rows),
                    "errors": len(errors),
                },
                "channel": channel,
            },
        )
    return run_id


def index_for_run(db: Database, indexes: IndexLike, run_id: str) -> ListIndex:
    """The index of the list versions the run is pinned to (see :func:`create_run`).

    Raises:
        NotFound: a pinned version is no longer stored.
    """
    with db.session() as session:
        run = store.get_run(session, run_id)
        pinned = (run.params or {}).get("list_version_ids") if run is not None else None
    return resolve_index(db, indexes, pinned)


def process_chunk(
    db: Database, indexes: IndexLike, settings: Settings, run_id: str, number: int
) -> bool:
    """Screen one pending chunk and store its results in one transaction.

    The chunk is screened against the run's pinned list versions, whatever
    ``indexes`` holds now. Idempotent: a chunk already done is left alone
    (returns False), and its results replace any earlier partial attempt, so a
    retry never duplicates.
    """
    index = index_for_run(db, indexes, run_id)
    hidden = suppressions(db, index.fingerprints)
    with db.session() as session:
        chunk = store.claim_chunk(session, run_id, number)
        if chunk is None:
            return False
        rows = [ShipmentRow.from_dict(r) for r in chunk.rows]
        outcome = screen_shipments(rows, index, settings, suppressions=hidden, run_id=run_id)
        store.store_results(session, run_id, [r.to_dict() for r in outcome.results])
        store.complete_chunk(session, chunk)
    return True


def finalize(db: Database, indexes: IndexLike, settings: Settings, run_id: str) -> bool:
    """Mark the run done once every chunk is; returns True if this call finished it.

    The run records the list versions it is pinned to, which all its chunks used.
    """
    with db.session() as session:
        if store.pending_chunks(session, run_id):
            return False
    index = index_for_run(db, indexes, run_id)
    with db.session() as session:
        # Locked (PostgreSQL) so that two workers finishing the last chunks together
        # finalize the run once: the second one waits, then sees it done.
        run = store.get_run(session, run_id, for_update=True)
        if run is None or run.status == "done":
            return False
        meta = screen_shipments(
            [],
            index,
            settings,
            run_id=run_id,
            actor=run.created_by,
            channel=run.channel,
            input_name=run.input_name,
            input_sha256=run.input_sha256,
            mapping=run.params.get("mapping"),
        ).run
        meta["input"] = {
            "name": run.input_name,
            "sha256": run.input_sha256,
            "rows": run.row_count,
            "errors": len(run.input_errors or []),
        }
        meta["created_at"] = run.created_at.isoformat(timespec="seconds")
        counts = store.verdict_counts(session, run_id)
        store.finish_run(
            session,
            run_id,
            status="done",
            summary=counts,
            list_versions=meta["list_versions"],
            algorithm=meta["algorithm"],
        )
        run.params = {**run.params, "run": meta}
        audit(
            session,
            run.created_by,
            "screening.run",
            target=run_id,
            details={
                "input": meta["input"],
                "counts": counts,
                "channel": run.channel,
                "list_versions": [
                    {"source": v["source"], "version": v["version"], "as_of": v["as_of"]}
                    for v in meta["list_versions"]
                ],
            },
        )
    return True


def run_pending(
    db: Database,
    indexes: IndexLike,
    settings: Settings,
    run_id: str,
    progress: Callable[[int, int], None] | None = None,
) -> bool:
    """Screen every pending chunk of a run here, then finish it (also resumes a failed run).

    ``progress`` is called with (rows screened, rows in the run) before the
    first chunk and after each. A failure marks the run failed with its
    message and re-raises; chunks already done stay done, so running this
    again resumes where it stopped. Returns whether this call finished the run.
    """
    with db.session() as session:
        store.set_status(session, run_id, "running")
        numbers = store.pending_chunks(session, run_id)
        run = store.get_run(session, run_id)
        total, done = (run.row_count, run.rows_done) if run else (0, 0)
    if progress is not None:
        progress(done, total)
    try:
        index = index_for_run(db, indexes, run_id)
        for number in numbers:
            process_chunk(db, index, settings, run_id, number)
            if progress is not None:
                with db.session() as session:
                    current = store.get_run(session, run_id)
                    done = current.rows_done if current else done
                progress(done, total)
    except Exception as exc:
        fail(db, run_id, exc)
        raise
    return finalize(db, index, settings, run_id)


def fail(db: Database, run_id: str, exc: BaseException, attempts: int = 10) -> None:
    """Record a run as failed with a one-line reason (its done chunks stay done).

    Best effort: when the database itself is what failed (a restart), retry for a
    few seconds; if it stays away the run keeps its last status and is resumed
    like any other (``run_pending`` only screens pending chunks).
    """
    message = exc.message if isinstance(exc, ScreeningError) else f"{type(exc).__name__}: {exc}"
    log.error("screening run %s failed: %s", run_id, message)
    for attempt in range(attempts):
        try:
            with db.session() as session:
                store.finish_run(session, run_id, status="failed", error=message[:2000])
            return
        except OperationalError:
            time.sleep(min(0.5 * (attempt + 1), 2.0))
    log.error("could not record the failure of run %s: the database is unreachable", run_id)


def screen_and_store(
    db: Database,
    index: ListIndex,
    settings: Settings,
    rows: Sequence[ShipmentRow],
    *,
    errors: Sequence[RowError] = (),
    actor: str,
    channel: str,
    input_name: str | None = None,
    input_sha256: str | None = None,
    mapping: dict[str, Any] | None = None,
) -> ScreeningOutcome:
    """Screen ``rows`` as a stored run, here and now; returns the outcome."""
    run_id = create_run(
        db,
        rows,
        errors=errors,
        actor=actor,
        channel=channel,
        input_name=input_name,
        input_sha256=input_sha256,
        mapping=mapping,
        list_versions=version_ids(index),
    )
    run_pending(db, index, settings, run_id)
    document = run_document(db, run_id, settings.claims_file)
    results = [_result_from_dict(item) for item in document["shipments"]]
    return ScreeningOutcome(
        run_id=run_id,
        results=results,
        errors=list(errors),
        run=document["run"],
        claims={c.id: c for c in load_claims(settings.claims_file)},
    )


def _result_from_dict(item: dict[str, Any]) -> ShipmentResult:
    return ShipmentResult(
        row=ShipmentRow.from_dict(item["shipment"]),
        verdict=Verdict(item["verdict"]),
        flags=tuple(Flag.from_dict(f) for f in item["flags"]),
    )


def run_document(db: Database, run_id: str, claims_file: Path | None = None) -> dict[str, Any]:
    """The stored run as the same document a fresh screening returns.

    ``claims_file`` (``SCREENING_CLAIMS_FILE``) supplies the users' own claims
    that flags may cite besides the built-in registry.

    Raises:
        NotFound: no such run.
    """
    with db.session() as session:
        run = store.get_run(session, run_id)
        if run is None:
            raise NotFound(f"no screening run {run_id!r}")
        shipments: list[dict[str, Any]] = [
            {
                "row": s.row,
                "sheet": s.sheet or None,
                "shipment_id": s.shipment_id,
                "verdict": s.verdict,
                "flags": s.flags,
                "shipment": s.data,
            }
            for s in store.shipments_of(session, run_id)
        ]
        meta = dict(run.params.get("run") or {})
        meta.update(
            {
                "id": run.id,
                "status": run.status,
                "rows_done": run.rows_done,
                "row_count": run.row_count,
                "error": run.error,
                "created_at": run.created_at.isoformat(),
                "created_by": run.created_by,
                "channel": run.channel,
                "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            }
        )
        counts = {v: 0 for v in ("blocked", "high", "medium", "low", "clear")}
        for item in shipments:
            counts[item["verdict"]] += 1
        meta["counts"] = counts
        errors = list(run.input_errors or [])
    cited = {c.get("claim_id") for s in shipments for f in s["flags"] for c in f["citations"]}
    claims = [claim_dict(c) for c in load_claims(claims_file) if c.id in cited]
    return {"run": meta, "shipments": shipments, "errors": errors, "claims": claims}


def decide(db: Database, *, hit_id: int, decision: str, reason: str, actor: str) -> dict[str, Any]:
    """Record a reviewer's decision on a hit.

    Raises:
        InvalidInput: unknown decision or empty reason.
        NotFound: no such hit.
    """
    if decision not in ("true_match", "false_positive"):
        raise InvalidInput("decision must be 'true_match' or 'false_positive'")
    if not reason or not reason.strip():
        raise InvalidInput("a reason is required")
    with db.session() as session:
        hit = store.get_hit(session, hit_id)
        if hit is None:
            raise NotFound(f"no hit {hit_id}")
        row = store.add_decision(
            session, hit=hit, decision=decision, reason=reason.strip(), actor=actor
        )
        audit(
            session,
            actor,
            "decision." + decision,
            target=f"hit:{hit_id}",
            details={
                "party": hit.party_name,
                "entity_id": hit.entity_id,
                "run_id": hit.run_id,
                "fingerprint": hit.entry_fingerprint,
                "reason": reason.strip(),
            },
        )
        return {
            "id": row.id,
            "hit_id": hit_id,
            "decision": decision,
            "reason": row.reason,
            "party_name": hit.party_name,
            "entity_id": hit.entity_id,
            "decided_by": actor,
            "decided_at": row.decided_at.isoformat(),
        }
