"""The list store: versions and entries in the database, one active version per source.

All functions work inside the caller's transaction (see ``session_scope``).
Activation writes the new version's entries and flips the active flag in that
same transaction, so readers see the old version until the new one is whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from screening.core.model import ListEntry
from screening.storage.audit import audit, now
from screening.storage.tables import ListEntryRow, ListUpdate, ListVersion

_BATCH = 2000


def active_versions(session: Session) -> list[ListVersion]:
    stmt = select(ListVersion).where(ListVersion.status == "active").order_by(ListVersion.source)
    return list(session.scalars(stmt))


def active_version(session: Session, source: str) -> ListVersion | None:
    stmt = select(ListVersion).where(ListVersion.source == source, ListVersion.status == "active")
    return session.scalars(stmt).first()


def versions_of(session: Session, source: str) -> list[ListVersion]:
    """Every version of ``source``, newest first."""
    stmt = select(ListVersion).where(ListVersion.source == source).order_by(ListVersion.id.desc())
    return list(session.scalars(stmt))


def get_version(session: Session, version_id: int) -> ListVersion | None:
    return session.get(ListVersion, version_id)


def fingerprints(session: Session, version_id: int) -> dict[str, str]:
    """``entity_id -> fingerprint`` for one version."""
    stmt = select(ListEntryRow.entity_id, ListEntryRow.fingerprint).where(
        ListEntryRow.version_id == version_id
    )
    return {row.entity_id: row.fingerprint for row in session.execute(stmt)}


def entry_datas(
    session: Session, version_id: int, entity_ids: list[str]
) -> dict[str, dict[str, Any]]:
    """The canonical dicts of some entries of one version."""
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(entity_ids), 500):
        stmt = select(ListEntryRow.entity_id, ListEntryRow.data).where(
            ListEntryRow.version_id == version_id,
            ListEntryRow.entity_id.in_(entity_ids[start : start + 500]),
        )
        out.update({row.entity_id: row.data for row in session.execute(stmt)})
    return out


def entry_datas_all(session: Session, version_id: int) -> list[dict[str, Any]]:
    stmt = select(ListEntryRow.data).where(ListEntryRow.version_id == version_id)
    return list(session.scalars(stmt))


def iter_entries(session: Session, version_ids: Sequence[int]) -> Iterator[ListEntry]:
    stmt = (
        select(ListEntryRow.data)
        .where(ListEntryRow.version_id.in_(version_ids))
        .execution_options(yield_per=_BATCH)
    )
    for (data,) in session.execute(stmt):
        yield ListEntry.from_dict(data)


def entry_data(
    session: Session, version_id: int, entity_id: str
) -> tuple[str, dict[str, Any]] | None:
    stmt = select(ListEntryRow.fingerprint, ListEntryRow.data).where(
        ListEntryRow.version_id == version_id, ListEntryRow.entity_id == entity_id
    )
    row = session.execute(stmt).first()
    return (row.fingerprint, row.data) if row else None


def entry_datas_by_fingerprint(
    session: Session, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The canonical dict of each ``(entity_id, fingerprint)`` found in any stored version.

    Equal fingerprints mean equal dicts, so whichever version holds the pair
    gives the same data; pairs no longer stored are left out.
    """
    wanted = sorted(set(pairs))
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        stmt = select(ListEntryRow.entity_id, ListEntryRow.fingerprint, ListEntryRow.data).where(
            ListEntryRow.entity_id.in_({e for e, _ in batch}),
            ListEntryRow.fingerprint.in_({f for _, f in batch}),
        )
        keys = set(batch)
        for row in session.execute(stmt):
            key = (row.entity_id, row.fingerprint)
            if key in keys:
                out.setdefault(key, row.data)
    return out


def store_version(
    session: Session,
    *,
    source: str,
    as_of: Any,
    sha256: str,
    files: dict[str, str],
    entries: Iterable[tuple[str, str, str, str, dict[str, Any]]],
    counts: dict[str, int],
    skipped: list[dict[str, str]],
    skipped_count: int,
    diff: dict[str, Any],
    actor: str,
    origin: str,
) -> ListVersion:
    """Write a new version and make it the active one for its source.

    ``entries`` yields ``(entity_id, kind, name, fingerprint, data)``.
    """
    stamp = now()
    version = ListVersion(
        source=source,
        as_of=as_of,
        sha256=sha256,
        files=files,
        entry_count=0,
        counts=counts,
        skipped_count=skipped_count,
        skipped_sample=skipped[:50],
        diff=diff,
        loaded_at=stamp,
        loaded_by=actor,
        origin=origin,
        status="pending",
    )
    session.add(version)
    session.flush()
    batch: list[dict[str, Any]] = []
    total = 0
    for entity_id, kind, name, fp, data in entries:
        batch.append(
            {
                "version_id": version.id,
                "entity_id": entity_id,
                "kind": kind,
                "name": name,
                "fingerprint": fp,
                "data": data,
            }
        )
        if len(batch) >= _BATCH:
            session.execute(insert(ListEntryRow), batch)
            total += len(batch)
            batch = []
    if batch:
        session.execute(insert(ListEntryRow), batch)
        total += len(batch)
    version.entry_count = total
    session.execute(
        update(ListVersion)
        .where(ListVersion.source == source, ListVersion.status == "active")
        .values(status="superseded")
    )
    version.status = "active"
    version.activated_at = stamp
    audit(
        session,
        actor,
        "list.activate",
        target=f"{source}:{version.id}",
        details={
            "source": source,
            "version_id": version.id,
            "as_of": str(as_of),
            "sha256": sha256,
            "entries": total,
            "diff": {k: len(v) for k, v in diff.items() if isinstance(v, list)},
        },
    )
    return version


def record_update(
    session: Session,
    *,
    source: str,
    started_at: datetime,
    origin: str,
    actor: str,
    ok: bool,
    error: str | None = None,
    version_id: int | None = None,
) -> ListUpdate:
    row = ListUpdate(
        source=source,
        started_at=started_at,
        finished_at=now(),
        ok=ok,
        origin=origin,
        error=error,
        version_id=version_id,
        actor=actor,
    )
    session.add(row)
    return row


def last_updates(session: Session) -> dict[str, ListUpdate]:
    """The newest load attempt of each source."""
    newest = (
        select(ListUpdate.source, func.max(ListUpdate.id).label("id"))
        .group_by(ListUpdate.source)
        .subquery()
    )
    stmt = select(ListUpdate).join(newest, ListUpdate.id == newest.c.id)
    return {row.source: row for row in session.scalars(stmt)}
