"""Schema, migrations and the append-only audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from screening.storage.audit import audit, recent
from screening.storage.db import Database, migration_state


def test_migrations_reach_head(db: Database) -> None:
    current, head = migration_state(db.engine)
    assert current == head is not None


def test_audit_log_is_append_only(db: Database) -> None:
    with db.session() as session:
        audit(session, "tester", "list.activate", target="us_ofac_sdn:1", details={"n": 1})
    with db.session() as session:
        events = recent(session)
        assert [(e.actor, e.action, e.details) for e in events] == [
            ("tester", "list.activate", {"n": 1})
        ]
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.engine.begin() as conn:
            conn.execute(sa.text(statement))
    with db.session() as session:
        assert [e.actor for e in recent(session)] == ["tester"]


def test_session_scope_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session() as session:
        audit(session, "tester", "x")
        session.flush()
        raise RuntimeError("boom")
    with db.session() as session:
        assert recent(session) == []
