"""The append-only audit log: who did what, when, with which list versions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.storage.tables import AuditEvent


def now() -> datetime:
    return datetime.now(UTC)


def audit(
    session: Session,
    actor: str,
    action: str,
    *,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one event (the table's triggers refuse updates and deletes)."""
    session.add(
        AuditEvent(at=now(), actor=actor, action=action, target=target, details=details or {})
    )


def recent(session: Session, limit: int = 100, offset: int = 0) -> list[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(stmt))
