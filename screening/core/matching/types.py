"""The matching vocabulary: what is screened, how, and what comes back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from screening.core.model import EntityKind, Identifier, ListEntry, NameKind

ALGORITHM_VERSION = "screening-match-2"


@dataclass(frozen=True, slots=True)
class PartyQuery:
    """One party to screen: a name, and whatever else is known about it.

    ``country`` is ISO 3166 alpha-2 (stored upper case); ``birth_date`` is ISO,
    possibly partial ("1961", "1961-05-12"); ``ref`` is the caller's own id.
    """

    name: str
    kind: EntityKind | None = None
    country: str | None = None
    birth_date: str | None = None
    identifiers: tuple[Identifier, ...] = ()
    ref: str | None = None

    def __post_init__(self) -> None:
        if self.country is not None:
            object.__setattr__(self, "country", self.country.strip().upper() or None)


@dataclass(frozen=True, slots=True)
class MatchPolicy:
    """Thresholds: hits at or above ``review`` are returned, at or above ``alert`` they alert.

    The defaults were set on the development split of the cross-list evaluation
    set (``benchmarks/matching_eval.py``): at 0.78 about 0.1 false positives per
    non-exact query, at 0.48 under 1.5.
    """

    alert: float = 0.78
    review: float = 0.48
    max_hits: int = 10

    def __post_init__(self) -> None:
        if not (0.0 < self.review < self.alert <= 1.0):
            raise ValueError(
                f"need 0 < review < alert <= 1, got review={self.review} alert={self.alert}"
            )
        if self.max_hits < 1:
            raise ValueError(f"max_hits must be at least 1, got {self.max_hits}")


# FeatureResult and Hit are made for every hit returned, and frozen dataclasses are
# several times slower to make: they are not frozen, but hashable by value all
# the same. Treat them as read-only.
@dataclass(slots=True, unsafe_hash=True)
class FeatureResult:
    """One feature's verdict on a query x entry pair.

    ``score`` is the feature's own value in [0, 1]; ``weight`` is how it enters
    the hit score (negative for a penalty); ``detail`` is a human sentence part.
    """

    name: str
    score: float
    weight: float
    detail: str = ""


@dataclass(slots=True, unsafe_hash=True)
class Hit:
    """A scored query x list entry pair, explained."""

    entity_id: str
    entry: ListEntry
    score: float
    alert: bool
    query_name: str
    matched_name: str
    matched_name_kind: NameKind | None
    features: tuple[FeatureResult, ...]
    explanation: str
    algorithm: str = ALGORITHM_VERSION


@dataclass(frozen=True, slots=True)
class Feature:
    """A declared feature: a pure function, its weight, and whether it only qualifies.

    Main features compete (the hit score is the best weighted one); qualifiers
    add their weighted score to it, and only when some main feature fired.
    """

    func: Callable[..., tuple[float, str]]
    weight: float
    qualifier: bool = False
    # The query attribute without which the feature cannot fire ("country"): lets
    # screening bound what the qualifiers can add for one query, and skip the
    # features that cannot fire.
    needs: str | None = None

    # The user-facing description, one sentence. Declared here rather than read
    # from the function's docstring: compiled functions carry no docstrings.
    doc: str = ""

    def __post_init__(self) -> None:
        if not self.doc.strip():
            raise ValueError(f"feature {self.name} has no description")

    @property
    def name(self) -> str:
        return self.func.__name__
