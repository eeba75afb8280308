"""The counterparty register and its re-screens.

Functions work inside the caller's transaction. Parties are upserted with the
database's own ``INSERT ... ON CONFLICT`` (SQLite and PostgreSQL both have it),
so two runs finishing at the same time on two workers never collide on a new
party's unique (party key, country).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from screening.storage.tables import RegisterParty, RegisterRescreen, ShipmentRecord

_BATCH = 500


@dataclass(frozen=True, slots=True)
class PartyRow:
    """One party to upsert into the register."""

    party_key: str
    country: str  # ISO alpha-2, or "" when unknown
    name: str
    role: str | None = None
    external_id: str | None = None


def upsert_parties(
    session: Session,
    parties: Sequence[PartyRow],
    *,
    source: str,
    seen_at: datetime,
    run_id: str | None = None,
) -> tuple[int, int]:
    """Add new parties and refresh known ones; returns (added, updated).

    ``source`` is "screening" (parties of a finished run) or "import" (a
    register file); an import marks known parties as imported and sets their
    external id. A party's first name and first-seen time are kept.
    """
    unique: dict[tuple[str, str], PartyRow] = {}
    for party in parties:
        unique.setdefault((party.party_key, party.country), party)  # one row per key, first wins
    keys = sorted(unique)  # a fixed order, so concurrent upserts cannot deadlock
    added = updated = 0
    for start in range(0, len(keys), _BATCH):
        batch = keys[start : start + _BATCH]
        stmt = select(RegisterParty.party_key, RegisterParty.country).where(
            tuple_(RegisterParty.party_key, RegisterParty.country).in_(batch)
        )
        known = {(key, country) for key, country in session.execute(stmt)}
        added += len(batch) - len(known)
        updated += len(known)
        values = [
            {
                "party_key": key[0],
                "country": key[1],
                "name": unique[key].name,
                "role": unique[key].role,
                "external_id": unique[key].external_id,
                "source": source,
                "first_seen": seen_at,
                "last_seen": seen_at,
                "last_run_id": run_id,
            }
            for key in batch
        ]
        session.execute(_upsert(session, values, source))
    return added, updated


def _upsert(session: Session, values: list[dict[str, Any]], source: str) -> Any:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(RegisterParty).values(values)
    new = stmt.excluded
    changes: dict[str, Any] = {
        "last_seen": new.last_seen,
        "role": func.coalesce(new.role, RegisterParty.role),
    }
    if source == "import":
        changes["source"] = new.source
        changes["external_id"] = func.coalesce(new.external_id, RegisterParty.external_id)
    else:
        changes["last_run_id"] = new.last_run_id
    return stmt.on_conflict_do_update(index_elements=["party_key", "country"], set_=changes)


def all_parties(session: Session) -> list[RegisterParty]:
    stmt = select(RegisterParty).order_by(RegisterParty.id)
    return list(session.scalars(stmt))


def count_parties(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(RegisterParty)) or 0


def run_party_dicts(session: Session, run_id: str) -> Iterator[dict[str, Any]]:
    """The parties (``PartyRef`` dicts) named by every stored shipment of a run."""
    stmt = (
        select(ShipmentRecord.data)
        .where(ShipmentRecord.run_id == run_id)
        .execution_options(yield_per=2000)
    )
    for (data,) in session.execute(stmt):
        yield from data.get("parties") or ()


def rescreen_of_version(session: Session, version_id: int) -> RegisterRescreen | None:
    stmt = select(RegisterRescreen).where(RegisterRescreen.version_id == version_id)
    return session.scalars(stmt).first()


def add_rescreen(session: Session, **values: Any) -> RegisterRescreen:
    row = RegisterRescreen(**values)
    session.add(row)
    session.flush()
    return row


def get_rescreen(session: Session, rescreen_id: int) -> RegisterRescreen | None:
    return session.get(RegisterRescreen, rescreen_id)


def latest_rescreen(session: Session) -> RegisterRescreen | None:
    stmt = select(RegisterRescreen).order_by(RegisterRescreen.id.desc()).limit(1)
    return session.scalars(stmt).first()


def set_report_path(session: Session, rescreen_id: int, path: str) -> None:
    session.execute(
        update(RegisterRescreen).where(RegisterRescreen.id == rescreen_id).values(report_path=path)
    )
