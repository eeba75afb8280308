"""Shared fixtures.

Fixture strategy: tests read the real official list files from the shared
data folder beside the checkout (``../shared/data``, or ``SCREENING_SHARED_DATA``);
they are never copied into the repository. Database tests run once on SQLite
and once on PostgreSQL (see ``tests/storage/conftest.py``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask

from screening.settings import Settings
from screening.storage.db import Database
from screening.web import create_app

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SCREENING_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"shared data folder not found at {SHARED}; set SCREENING_SHARED")
    return SHARED


@pytest.fixture(scope="session")
def lists_dir(shared_dir: Path) -> Path:
    return shared_dir / "data" / "lists"


@pytest.fixture(scope="session")
def eval_dir(shared_dir: Path) -> Path:
    return shared_dir / "eval"


# -- databases ----------------------------------------------------------------
# Every database test runs on SQLite and on PostgreSQL. Each PostgreSQL test gets
# its own schema (dropped afterwards), so runs never see each other's data. In CI
# (CI=true) an unreachable PostgreSQL fails the run instead of skipping it.

PG_URL = os.environ.get(
    "SCREENING_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _pg_schema_url(schema: str) -> str:
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL, pool_pre_ping=True)  # survives a server restart
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL unreachable at {PG_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated, empty database (SQLite file or PostgreSQL schema)."""
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(instance_path=tmp_path / "instance", database_url=database_url).resolved()


@pytest.fixture
def make_app(settings: Settings) -> Iterator[Callable[..., Flask]]:
    """Build apps with the test settings; their database pools are closed afterwards."""
    apps: list[Flask] = []

    def factory(**overrides: object) -> Flask:
        app = create_app(replace(settings, **overrides) if overrides else settings)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.extensions["screening"].db.dispose()


@pytest.fixture
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheapest argon2 parameters for this test only.

    The default parameters cost ~0.1 s and 64 MiB per hash, and the account
    tests hash hundreds of times; production never changes ``HASHER``.
    """
    from argon2 import PasswordHasher, profiles

    from screening.services import accounts

    monkeypatch.setattr(accounts, "HASHER", PasswordHasher.from_parameters(profiles.CHEAPEST))
