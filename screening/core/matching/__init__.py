"""The party matching engine: list names indexed in memory, queries scored and explained.

Pure: standard library plus rapidfuzz, anyascii and pypinyin; no IO. Build a
:class:`MatchIndex` from list entries once, then screen :class:`PartyQuery`
values against it under a :class:`MatchPolicy`::

    index = MatchIndex.build(entries, version_label="us_ofac_sdn@2024-05-03")
    hits = index.screen(PartyQuery("OOO Tekhnologii", EntityKind.ORGANIZATION), MatchPolicy())

The hot modules run compiled with mypyc when the install compiled them
(:mod:`screening.core.matching.native` says which runs and why).
"""

# First: it decides whether the compiled or the pure modules are imported below.
from screening.core.matching import native  # noqa: I001

from screening.core.matching import compare, names, text
from screening.core.matching.features import FEATURES
from screening.core.matching.index import MatchIndex
from screening.core.matching.types import (
    ALGORITHM_VERSION,
    Feature,
    FeatureResult,
    Hit,
    MatchPolicy,
    PartyQuery,
)


def clear_caches() -> None:
    """Forget every memo the matching modules keep (word analyses, similarities),
    as in a fresh process: to measure a first pass again, or to release memory.

    An index keeps its own memos of word expansions; build a new one to start
    those afresh.
    """
    compare.clear_caches()
    names.clear_caches()
    text.clear_caches()


__all__ = [
    "ALGORITHM_VERSION",
    "FEATURES",
    "Feature",
    "FeatureResult",
    "Hit",
    "MatchIndex",
    "MatchPolicy",
    "PartyQuery",
    "clear_caches",
    "native",
]
