"""Shared fixtures.

Fixture strategy: tests read the real official list files from the shared
data folder beside the checkout (``../shared/data``, or ``SCREENING_SHARED_DATA``);
they are never copied into the repository. Database tests run once on SQLite
and once on PostgreSQL (see ``tests/storage/conftest.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
