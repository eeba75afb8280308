"""Screening runs, their shipments and hits, and reviewers' decisions.

Functions work inside the caller's transaction. Writing a chunk of results is
idempotent: a shipment row already stored for a run is replaced, never
duplicated (unique (run, sheet, row); hits unique per shipment, role, party
and entry), so a retried chunk leaves the same rows behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from screening.core.rules.base import party_key
from screening.storage.audit import now
from screening.storage.tables import Decision, HitRecord, RunChunk, ScreeningRun, ShipmentRecord


def create_run(
    session: Session,
    *,
    run_id: str,
    actor: str,
    channel: str,
    input_name: str | None,
    input_sha256: str | None,
    params: dict[str, Any],
    row_count: int,
    status: str = "running",
    input_errors: list[Any] | None = None,
) -> ScreeningRun:
    run = ScreeningRun(
        id=run_id,
        created_at=now(),
        created_by=actor,
        channel=channel,
        status=status,
        input_name=input_name,
        input_sha256=input_sha256,
        params=params,
        row_count=row_count,
        rows_done=0,
        input_errors=input_errors or [],
    )
    session.add(run)
    session.flush()
    return run


def get_run(session: Session, run_id: str, *, for_update: bool = False) -> ScreeningRun | None:
    if for_update:
        stmt = select(ScreeningRun).where(ScreeningRun.id == run_id).with_for_update()
        return session.scalars(stmt).first()
    return session.get(ScreeningRun, run_id)


def list_runs(
    session: Session, *, limit: int = 50, offset: int = 0
) -> tuple[list[ScreeningRun], int]:
    total = session.scalar(select(func.count()).select_from(ScreeningRun)) or 0
    stmt = select(ScreeningRun).order_by(ScreeningRun.created_at.desc()).limit(limit).offset(offset)
    return list(session.scalars(stmt)), total


def store_results(session: Session, run_id: str, shipments: Sequence[dict[str, Any]]) -> int:
    """Store (or replace) shipment results of a run; returns how many rows were written.

    Each item is ``ShipmentResult.to_dict()``; party flags with an entity id
    become hit rows for review.
    """
    written = 0
    for item in shipments:
        sheet = item.get("sheet") or ""
        session.execute(
            delete(ShipmentRecord).where(
                ShipmentRecord.run_id == run_id,
                ShipmentRecord.sheet == sheet,
                ShipmentRecord.row == item["row"],
            )
        )
        record = ShipmentRecord(
            run_id=run_id,
            sheet=sheet,
            row=item["row"],
            shipment_id=item.get("shipment_id"),
            verdict=item["verdict"],
            data=item["shipment"],
            flags=item["flags"],
        )
        session.add(record)
        session.flush()
        seen: set[tuple[str, str, str]] = set()
        for flag in item["flags"]:
            if not flag.get("entity_id") or not flag.get("party_name"):
                continue
            key = (flag.get("role") or "", party_key(flag["party_name"]), flag["entity_id"])
            if key in seen:
                continue
            seen.add(key)
            details = flag.get("details") or {}
            session.add(
                HitRecord(
                    run_id=run_id,
                    shipment_pk=record.id,
                    role=key[0],
                    party_name=flag["party_name"],
                    party_key=key[1],
                    entity_id=flag["entity_id"],
                    entry_fingerprint=details.get("fingerprint"),
                    score=flag.get("score") or 1.0,
                    alert=flag["code"] in ("PARTY_LISTED", "RED_LISTED_ADDRESS"),
                    status="reopened" if details.get("reopened") else "open",
                    data=flag,
                )
            )
        written += 1
    return written


def finish_run(
    session: Session,
    run_id: str,
    *,
    status: str,
    summary: dict[str, Any] | None = None,
    list_versions: list[Any] | None = None,
    algorithm: str | None = None,
    input_errors: list[Any] | None = None,
    error: str | None = None,
) -> None:
    values: dict[str, Any] = {"status": status, "finished_at": now(), "error": error}
    if summary is not None:
        values["summary"] = summary
    if list_versions is not None:
        values["list_versions"] = list_versions
    if algorithm is not None:
        values["algorithm"] = algorithm
    if input_errors is not None:
        values["input_errors"] = input_errors
    session.execute(update(ScreeningRun).where(ScreeningRun.id == run_id).values(**values))


def shipments_of(
    session: Session,
    run_id: str,
    *,
    verdict: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[ShipmentRecord]:
    stmt = select(ShipmentRecord).where(ShipmentRecord.run_id == run_id)
    if verdict:
        stmt = stmt.where(ShipmentRecord.verdict == verdict)
    stmt = stmt.order_by(ShipmentRecord.sheet, ShipmentRecord.row).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def count_shipments(session: Session, run_id: str) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(ShipmentRecord).where(ShipmentRecord.run_id == run_id)
        )
        or 0
    )


def hits_of(session: Session, run_id: str) -> list[HitRecord]:
    stmt = select(HitRecord).where(HitRecord.run_id == run_id).order_by(HitRecord.id)
    return list(session.scalars(stmt))


def hits_of_shipment(session: Session, run_id: str, sheet: str, row: int) -> list[HitRecord]:
    stmt = (
        select(HitRecord)
        .join(ShipmentRecord, HitRecord.shipment_pk == ShipmentRecord.id)
        .where(
            ShipmentRecord.run_id == run_id,
            ShipmentRecord.sheet == sheet,
            ShipmentRecord.row == row,
        )
        .order_by(HitRecord.id)
    )
    return list(session.scalars(stmt))


def get_hit(session: Session, hit_id: int) -> HitRecord | None:
    return session.get(HitRecord, hit_id)


def add_decision(
    session: Session,
    *,
    hit: HitRecord,
    decision: str,
    reason: str,
    actor: str,
    at: datetime | None = None,
) -> Decision:
    row = Decision(
        party_key=hit.party_key,
        party_name=hit.party_name,
        entity_id=hit.entity_id,
        entry_fingerprint=hit.entry_fingerprint,
        decision=decision,
        reason=reason,
        hit_id=hit.id,
        decided_by=actor,
        decided_at=at or now(),
    )
    session.add(row)
    hit.status = "dismissed" if decision == "false_positive" else "confirmed"
    session.flush()
    return row


def latest_decisions(
    session: Session, pairs: Iterable[tuple[str, str]] | None = None
) -> list[Decision]:
    """The newest decision of each (party key, entity id) pair."""
    newest = (
        select(Decision.party_key, Decision.entity_id, func.max(Decision.id).label("id"))
        .group_by(Decision.party_key, Decision.entity_id)
        .subquery()
    )
    stmt = select(Decision).join(newest, Decision.id == newest.c.id)
    found = list(session.scalars(stmt))
    if pairs is not None:
        wanted = set(pairs)
        found = [d for d in found if (d.party_key, d.entity_id) in wanted]
    return found


def add_chunks(session: Session, run_id: str, chunks: Sequence[list[dict[str, Any]]]) -> None:
    for number, rows in enumerate(chunks):
        session.add(
            RunChunk(
                run_id=run_id,
                number=number,
                rows=rows,
                row_count=len(rows),
                status="pending",
                attempts=0,
            )
        )


def pending_chunks(session: Session, run_id: str) -> list[int]:
    stmt = (
        select(RunChunk.number)
        .where(RunChunk.run_id == run_id, RunChunk.status == "pending")
        .order_by(RunChunk.number)
    )
    return list(session.scalars(stmt))


def chunk_numbers(session: Session, run_id: str) -> list[int]:
    stmt = select(RunChunk.number).where(RunChunk.run_id == run_id).order_by(RunChunk.number)
    return list(session.scalars(stmt))


def claim_chunk(session: Session, run_id: str, number: int) -> RunChunk | None:
    """The chunk, locked for this transaction (PostgreSQL), if it is still pending."""
    stmt = (
        select(RunChunk)
        .where(RunChunk.run_id == run_id, RunChunk.number == number)
        .with_for_update()
    )
    chunk = session.scalars(stmt).first()
    if chunk is None or chunk.status == "done":
        return None
    chunk.attempts += 1
    return chunk


def complete_chunk(session: Session, chunk: RunChunk) -> None:
    chunk.status = "done"
    chunk.done_at = now()
    session.flush()
    done = (
        session.scalar(
            select(func.coalesce(func.sum(RunChunk.row_count), 0)).where(
                RunChunk.run_id == chunk.run_id, RunChunk.status == "done"
            )
        )
        or 0
    )
    session.execute(
        update(ScreeningRun).where(ScreeningRun.id == chunk.run_id).values(rows_done=done)
    )


def set_status(session: Session, run_id: str, status: str) -> None:
    session.execute(
        update(ScreeningRun).where(ScreeningRun.id == run_id).values(status=status, error=None)
    )


def verdict_counts(session: Session, run_id: str) -> dict[str, int]:
    counts = {v: 0 for v in ("blocked", "high", "medium", "low", "clear")}
    stmt = (
        select(ShipmentRecord.verdict, func.count())
        .where(ShipmentRecord.run_id == run_id)
        .group_by(ShipmentRecord.verdict)
    )
    for verdict, n in session.execute(stmt):
        counts[verdict] = n
    return counts
