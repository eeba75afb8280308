"""ORM tables. Model classes hold data only: they never open or commit transactions.

JSON columns carry the domain's own dict shapes (``ListEntry.to_dict()``,
flags, citations), so the database never drifts from the model the core uses.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for big tables.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class ListVersion(Base):
    """One loaded snapshot of one source. Exactly one version per source is active."""

    __tablename__ = "list_versions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    as_of: Mapped[date | None] = mapped_column(Date)
    sha256: Mapped[str] = mapped_column(String(64))
    files: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    entry_count: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_sample: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # {"added": [...], "removed": [...], "changed": [{"entity_id", "fields"}], "previous_version": id}
    diff: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    loaded_by: Mapped[str] = mapped_column(String(128))
    origin: Mapped[str] = mapped_column(Text)  # path or URL the files came from
    # active | superseded
    status: Mapped[str] = mapped_column(String(16), index=True)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ListEntryRow(Base):
    __tablename__ = "list_entries"
    __table_args__ = (
        UniqueConstraint("version_id", "entity_id", name="uq_list_entries_version_entity"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("list_versions.id", ondelete="CASCADE"), index=True
    )
    entity_id: Mapped[str] = mapped_column(String(160), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    # sha256 of the canonical JSON: equal fingerprints mean an unchanged entry.
    fingerprint: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class ListUpdate(Base):
    """Every attempt to load or download a source, successful or not (for the lists page)."""

    __tablename__ = "list_updates"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("list_versions.id"))
    actor: Mapped[str] = mapped_column(String(128))


class ScreeningRun(Base):
    __tablename__ = "screening_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4 hex with dashes
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    created_by: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(16))  # web | api | cli | batch | schedule
    # queued | running | done | failed
    status: Mapped[str] = mapped_column(String(16), index=True)
    input_name: Mapped[str | None] = mapped_column(Text)
    input_sha256: Mapped[str | None] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # thresholds, mapping
    list_versions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    algorithm: Mapped[str | None] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    input_errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ShipmentRecord(Base):
    """One screened input row and its verdict."""

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("run_id", "sheet", "row", name="uq_shipments_run_sheet_row"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(
        ForeignKey("screening_runs.id", ondelete="CASCADE"), index=True
    )
    sheet: Mapped[str] = mapped_column(String(128), default="")
    row: Mapped[int] = mapped_column(Integer)
    shipment_id: Mapped[str | None] = mapped_column(String(128))
    verdict: Mapped[str] = mapped_column(String(16), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # canonical row + original columns
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)


class HitRecord(Base):
    """A party hit worth a reviewer's look; unique per run, row, role, party and list entry."""

    __tablename__ = "hits"
    __table_args__ = (
        UniqueConstraint(
            "run_id", "shipment_pk", "role", "party_key", "entity_id", name="uq_hits_identity"
        ),
        Index("ix_hits_party_entity", "party_key", "entity_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(
        ForeignKey("screening_runs.id", ondelete="CASCADE"), index=True
    )
    shipment_pk: Mapped[int] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(32))
    party_name: Mapped[str] = mapped_column(Text)
    party_key: Mapped[str] = mapped_column(String(255))  # normalised party name
    entity_id: Mapped[str] = mapped_column(String(160))
    list_version_id: Mapped[int | None] = mapped_column(ForeignKey("list_versions.id"))
    entry_fingerprint: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    alert: Mapped[bool] = mapped_column(Boolean)
    # open | suppressed | reopened | confirmed | dismissed
    status: Mapped[str] = mapped_column(String(16), default="open")
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class Decision(Base):
    """A reviewer's judgement on a (party, list entry) pair, tied to the entry's fingerprint."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    party_key: Mapped[str] = mapped_column(String(255), index=True)
    party_name: Mapped[str] = mapped_column(Text)
    entity_id: Mapped[str] = mapped_column(String(160), index=True)
    entry_fingerprint: Mapped[str | None] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16))  # true_match | false_positive
    reason: Mapped[str] = mapped_column(Text)
    hit_id: Mapped[int | None] = mapped_column(ForeignKey("hits.id", ondelete="SET NULL"))
    decided_by: Mapped[str] = mapped_column(String(128))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Append-only: the migration installs triggers that refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(128), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))  # viewer | officer | reviewer | admin
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)  # shown in listings
    key_hash: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(128))
    scopes: Mapped[list[Any]] = mapped_column(JSON)  # screen | read | review | admin
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginFailure(Base):
    """One failed sign-in, kept briefly so every gunicorn worker sees the same rate limit."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_attempt", "username", "client", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(128))  # as typed (normalised), known or not
    client: Mapped[str] = mapped_column(String(64))  # remote IP address
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RunChunk(Base):
    """A run's input rows, in chunks: what workers (in-process or Celery) screen.

    ``status`` goes pending -> done; a chunk's results are written in the same
    transaction that marks it done, so a worker killed mid-chunk leaves it
    pending for the next attempt and never half-written.
    """

    __tablename__ = "run_chunks"
    __table_args__ = (UniqueConstraint("run_id", "number", name="uq_run_chunks_run_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(
        ForeignKey("screening_runs.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    rows: Mapped[list[Any]] = mapped_column(JSON)  # ShipmentRow.to_dict() items
    row_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RegisterParty(Base):
    """A counterparty: gathered from past screenings or imported from a register file.

    Unique per normalised name and country; ``country`` is "" when unknown so
    that the uniqueness holds on SQLite and PostgreSQL alike (NULLs never collide).
    """

    __tablename__ = "register_parties"
    __table_args__ = (
        UniqueConstraint("party_key", "country", name="uq_register_parties_key_country"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    party_key: Mapped[str] = mapped_column(String(255))
    country: Mapped[str] = mapped_column(String(8), default="")
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(128))  # the register file's id
    source: Mapped[str] = mapped_column(String(16))  # screening | import
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_run_id: Mapped[str | None] = mapped_column(String(36))


class RegisterRescreen(Base):
    """The register screened against what one list version added or changed."""

    __tablename__ = "register_rescreens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    created_by: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(64))
    # One re-screen per version: a redelivered task finds it and does nothing.
    version_id: Mapped[int] = mapped_column(ForeignKey("list_versions.id"), unique=True)
    previous_version_id: Mapped[int | None] = mapped_column(Integer)
    as_of: Mapped[date | None] = mapped_column(Date)
    entries_added: Mapped[int] = mapped_column(Integer, default=0)
    entries_changed: Mapped[int] = mapped_column(Integer, default=0)
    parties_screened: Mapped[int] = mapped_column(Integer, default=0)
    parties_reported: Mapped[int] = mapped_column(Integer, default=0)
    # The stored run holding the reported parties' hits, for review (None when none).
    run_id: Mapped[str | None] = mapped_column(ForeignKey("screening_runs.id", ondelete="SET NULL"))
    report_path: Mapped[str | None] = mapped_column(Text)
    # [{"party": {...}, "verdict": ..., "hits": [{"entity_id", "change", ...}]}]
    parties: Mapped[list[Any]] = mapped_column(JSON, default=list)


class ScheduledJob(Base):
    """One scheduled job's lease row: which cron slot fired last, and who holds it now.

    Every scheduler (one per gunicorn worker) polls; a compare-and-set update
    on this row decides which one fires a slot, so each slot fires once.
    """

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_slot: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    holder: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ok: Mapped[bool | None] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
