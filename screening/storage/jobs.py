"""Job bookkeeping: scheduled jobs' lease rows, and runs whose Celery tasks were lost.

A slot fires only through :func:`claim_slot`, one compare-and-set ``UPDATE``:
of all the schedulers that see a slot come due (one per gunicorn worker), the
database lets exactly one move ``last_slot`` forward. The lease (renewed while
the job runs) keeps a slow job from being started twice; a scheduler that died
mid-job loses its lease when it expires.

:func:`stalled_runs` finds runs that Celery workers should be screening but
are not (a worker killed between taking a task from Redis and recording it
loses that task), so they can be handed out again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from screening.storage.tables import RunChunk, ScheduledJob, ScreeningRun

# Database errors worth retrying: a lock timeout, a dropped connection.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (OperationalError,)
# A second scheduler creating the same job row at the same moment.
DUPLICATE_ERRORS: tuple[type[Exception], ...] = (IntegrityError,)


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything here is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def get_job(session: Session, name: str) -> ScheduledJob | None:
    return session.get(ScheduledJob, name)


def add_job(session: Session, name: str, last_slot: datetime) -> None:
    """Create a job's row; its first slot to fire is the one after ``last_slot``."""
    session.add(ScheduledJob(name=name, last_slot=last_slot))
    session.flush()


def claim_slot(
    session: Session,
    name: str,
    slot: datetime,
    *,
    holder: str,
    now: datetime,
    lease_until: datetime,
) -> bool:
    """Take ``slot`` of job ``name`` if no one has and no run of it holds a lease."""
    result = session.execute(
        update(ScheduledJob)
        .where(
            ScheduledJob.name == name,
            ScheduledJob.last_slot < slot,
            or_(ScheduledJob.lease_until.is_(None), ScheduledJob.lease_until < now),
        )
        .values(
            last_slot=slot,
            holder=holder,
            lease_until=lease_until,
            started_at=now,
            finished_at=None,
            ok=None,
            error=None,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def renew(session: Session, name: str, holder: str, lease_until: datetime) -> None:
    session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.name == name, ScheduledJob.holder == holder)
        .values(lease_until=lease_until)
        .execution_options(synchronize_session=False)
    )


def finish(
    session: Session, name: str, holder: str, *, at: datetime, ok: bool, error: str | None
) -> None:
    session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.name == name, ScheduledJob.holder == holder)
        .values(lease_until=None, finished_at=at, ok=ok, error=error)
        .execution_options(synchronize_session=False)
    )


def all_jobs(session: Session) -> list[ScheduledJob]:
    return list(session.scalars(select(ScheduledJob).order_by(ScheduledJob.name)))


def stalled_runs(session: Session, before: datetime) -> list[str]:
    """Running runs with no chunk finished since ``before`` (nor created after it).

    Their pending chunks (or their finalisation) are not progressing: either
    the workers are busy elsewhere or the tasks were lost.
    """
    last_done = (
        select(RunChunk.run_id, func.max(RunChunk.done_at).label("at"))
        .group_by(RunChunk.run_id)
        .subquery()
    )
    stmt = (
        select(ScreeningRun.id)
        .outerjoin(last_done, last_done.c.run_id == ScreeningRun.id)
        .where(
            ScreeningRun.status == "running",
            ScreeningRun.created_at < before,
            or_(last_done.c.at.is_(None), last_done.c.at < before),
        )
        .order_by(ScreeningRun.created_at)
    )
    return list(session.scalars(stmt))
