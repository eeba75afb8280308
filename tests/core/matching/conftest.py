"""Fixtures for matching tests: one index over the real lists, built once per session.

Golden cases screen real list entries (OFAC SDN 2024-05-03 with its
add/alt/comments files, UK OFSI ConList 2025-04-10, UN SC 2026-02-27), read
by path through the shared-data fixtures and parsed by the list parsers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lists.sources import get_source
from screening.core.matching import MatchIndex, MatchPolicy
from screening.core.model import ListEntry

VERSIONS = {"us_ofac_sdn": "2024-05-03", "uk_ofsi": "2025-04-10", "un_sc": "2026-02-27"}


@pytest.fixture(scope="session")
def real_entries(lists_dir: Path) -> dict[str, list[ListEntry]]:
    return {
        source: get_source(source).parse(lists_dir / source / day).entries
        for source, day in VERSIONS.items()
    }


@pytest.fixture(scope="session")
def real_index(real_entries: dict[str, list[ListEntry]]) -> MatchIndex:
    return MatchIndex.build(
        (e for entries in real_entries.values() for e in entries),
        version_label="sdn 2024-05-03 / ofsi 2025-04-10 / un 2026-02-27",
    )


@pytest.fixture
def policy() -> MatchPolicy:
    return MatchPolicy()
