"""The features of the matching algorithm, declared as a list.

Each feature is a small pure function of a :class:`Comparison` returning
``(score in [0, 1], detail)``. :data:`FEATURES` declares each one's weight and
user-facing description: main features compete (the hit score is the best
weighted main feature), qualifiers then add their weighted score. Changing the
rules means editing that table, not control flow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from screening.core.matching.compare import RawAlignment, Side, align, explain_alignment
from screening.core.matching.names import NameForm
from screening.core.matching.types import Feature, FeatureResult, PartyQuery
from screening.core.model import Identifier, IdentifierType, ListEntry, NameKind


# Not frozen: made for every candidate screened, and frozen dataclasses are
# several times slower to make.
@dataclass(slots=True)
class NameMatch:
    """The best-scoring pair of a query name and one listed name."""

    score: float
    query: NameForm
    query_side: Side
    listed: NameForm
    listed_side: Side
    kind: NameKind
    raw: RawAlignment | None = None  # the alignment scoring found, reused to explain it


@dataclass(slots=True)
class Comparison:
    """Everything the features look at for one query x entry pair."""

    query: PartyQuery
    entry: ListEntry
    strong: NameMatch | None  # best match among primary names, aliases, former names
    weak: NameMatch | None  # best match among weak aliases
    identifiers: tuple[tuple[Identifier, Identifier], ...]  # (query's, entry's) equal pairs
    explain: bool = True  # False: score only, leave the detail strings empty
    # The entry's country codes, sorted (None: worked out from the entry). An
    # index passes the ones it keeps per entry, so that they are not redone for
    # every comparison.
    countries: tuple[str, ...] | None = None


# --- names -----------------------------------------------------------------------


def describe_name_match(match: NameMatch) -> str:
    """ "name 'X' ~ listed 'Y' (legal form OOO=LLC, transliterated from Cyrillic, 0.93)"."""
    if match.raw is not None:
        alignment = explain_alignment(match.query_side, match.listed_side, match.raw)
    else:
        alignment = align(match.query_side, match.listed_side)
    notes: list[str] = []
    seen: set[str] = set()
    for note in (*match.query.notes(), *match.listed.notes()):
        if note.startswith("transliterated"):
            note = "transliterated"
        if note not in seen:
            seen.add(note)
            notes.append(note)
    variants = [f"{q}~{c}" for q, c, sim in alignment.pairs if q != c and sim < 1.0]
    if variants:
        notes.append("spelling " + ", ".join(variants[:3]))
    if alignment.unmatched_query:
        notes.append("not in listed name: " + " ".join(alignment.unmatched_query[:4]))
    if alignment.number_conflict:
        notes.append("numbers differ")
    if alignment.no_evidence:
        notes.append("only generic words agree")
    notes.append(f"{match.score:.2f}")
    label = "weak alias" if match.kind is NameKind.WEAK_ALIAS else "listed"
    return f"name '{match.query.raw}' ~ {label} '{match.listed.raw}' ({', '.join(notes)})"


def name_match(c: Comparison) -> tuple[float, str]:
    """Score of the best pair with a strong listed name (``c.strong``), with its description."""
    if c.strong is None:
        return 0.0, ""
    return c.strong.score, describe_name_match(c.strong) if c.explain else ""


def weak_alias_match(c: Comparison) -> tuple[float, str]:
    """Score of the best pair with a weak alias (``c.weak``), with its description."""
    if c.weak is None:
        return 0.0, ""
    return c.weak.score, describe_name_match(c.weak) if c.explain else ""


# --- identifiers --------------------------------------------------------------------

_NON_ALNUM = re.compile(r"[^0-9A-Z]")

# Identifier types that name the same number space. A company's tax number may be
# listed as "tax_id" on one list and "inn" on another.
_FAMILIES: tuple[frozenset[IdentifierType], ...] = (
    frozenset({IdentifierType.IMO}),
    frozenset({IdentifierType.PASSPORT}),
    frozenset({IdentifierType.NATIONAL_ID}),
    frozenset({IdentifierType.INN, IdentifierType.TAX_ID, IdentifierType.USCC}),
    frozenset({IdentifierType.OGRN, IdentifierType.REGISTRATION, IdentifierType.USCC}),
    frozenset({IdentifierType.LEI}),
    frozenset({IdentifierType.SWIFT}),
    frozenset({IdentifierType.MMSI}),
    frozenset({IdentifierType.AIRCRAFT_MSN}),
    frozenset({IdentifierType.AIRCRAFT_TAIL}),
    frozenset({IdentifierType.UN_REF}),
)
# KPP codes are shared by many companies of one tax office; "other" says nothing of type.
_UNMATCHABLE = frozenset({IdentifierType.KPP, IdentifierType.CALL_SIGN, IdentifierType.OTHER})


def normalise_identifier(value: str, type_: IdentifierType) -> str | None:
    """The comparable form of an identifier, or None when it is too short to be evidence.

    Upper-case letters and digits only; IMO numbers keep their seven digits. At
    least five characters, at least four of them digits, are required: shorter
    values collide by chance.
    """
    text = _NON_ALNUM.sub("", value.upper())
    if type_ is IdentifierType.IMO:
        digits = re.sub(r"\D", "", text)
        return digits if len(digits) == 7 else None
    if type_ in (IdentifierType.SWIFT, IdentifierType.LEI, IdentifierType.UN_REF):
        return text if len(text) >= 6 else None
    if len(text) < 5 or sum(ch.isdigit() for ch in text) < 4:
        return None
    return text


def identifier_families(type_: IdentifierType) -> tuple[int, ...]:
    """Indexes of the number spaces an identifier type belongs to."""
    if type_ in _UNMATCHABLE:
        return ()
    return tuple(i for i, family in enumerate(_FAMILIES) if type_ in family)


def identifier_match(c: Comparison) -> tuple[float, str]:
    """1.0 when ``c.identifiers`` holds a pair of agreeing typed identifiers."""
    if not c.identifiers:
        return 0.0, ""
    ours, theirs = c.identifiers[0]
    label = (
        ours.type.value.upper()
        if ours.type is theirs.type
        else f"{ours.type.value}/{theirs.type.value}"
    )
    return 1.0, f"{label} {theirs.value} agrees"


# --- qualifiers -------------------------------------------------------------------------


def entry_countries(entry: ListEntry) -> tuple[str, ...]:
    """The entry's country codes, sorted, unknown ("XX") left out."""
    return tuple(sorted({c.code for c in entry.countries if c.code and c.code != "XX"}))


def _countries(c: Comparison) -> tuple[str, ...]:
    return c.countries if c.countries is not None else entry_countries(c.entry)


def country_mismatch(c: Comparison) -> tuple[float, str]:
    """1.0 when the query's country is known and not among the entry's known countries."""
    if not c.query.country:
        return 0.0, ""
    listed = _countries(c)
    if not listed or c.query.country in listed:
        return 0.0, ""
    return 1.0, f"country {c.query.country} vs listed {', '.join(listed[:4])}"


def country_agrees(c: Comparison) -> tuple[float, str]:
    """1.0 when the query's country is among the entry's countries."""
    if c.query.country and c.query.country in _countries(c):
        return 1.0, f"country {c.query.country} agrees"
    return 0.0, ""


def _years(dates: tuple[str, ...] | list[str]) -> set[str]:
    return {d[:4] for d in dates if len(d) >= 4 and d[:4].isdigit()}


def birth_year_mismatch(c: Comparison) -> tuple[float, str]:
    """1.0 when both sides give birth years and their sets of years are disjoint."""
    if not c.query.birth_date:
        return 0.0, ""
    ours, theirs = _years([c.query.birth_date]), _years(c.entry.birth_dates)
    if not ours or not theirs or ours & theirs:
        return 0.0, ""
    return 1.0, f"born {sorted(ours)[0]} vs listed {', '.join(sorted(theirs)[:4])}"


def birth_date_mismatch(c: Comparison) -> tuple[float, str]:
    """1.0 when the years overlap but the query's full date is none of the entry's full dates."""
    date = c.query.birth_date
    if not date or len(date) < 10:
        return 0.0, ""
    full = [d for d in c.entry.birth_dates if len(d) >= 10]
    if not full or date[:10] in {d[:10] for d in full} or date[:4] not in _years(full):
        return 0.0, ""
    return 1.0, f"born {date[:10]} vs listed {', '.join(sorted(full)[:3])}"


def birth_date_agrees(c: Comparison) -> tuple[float, str]:
    """1.0 when the query's date, to its own precision, prefixes (or is prefixed by) a listed date."""
    date = c.query.birth_date
    if not date:
        return 0.0, ""
    for listed in c.entry.birth_dates:
        if listed[: len(date)] == date or date[: len(listed)] == listed:
            return 1.0, f"born {date} agrees"
    return 0.0, ""


# The user-facing descriptions (``doc``) appear in explanations of the method (docs/matching.md).
FEATURES: tuple[Feature, ...] = (
    Feature(
        name_match,
        weight=1.0,
        doc="The query name matches a primary name, alias, former name or original-script name of the entry.",
    ),
    Feature(
        weak_alias_match,
        weight=0.92,
        doc="The query name matches a weak alias: one the list itself marks as low quality.",
    ),
    Feature(
        identifier_match,
        weight=0.98,
        needs="identifiers",
        doc="An identifier of the same type and value on both sides (IMO, INN, OGRN, passport, ...).",
    ),
    Feature(
        country_mismatch,
        weight=-0.15,
        qualifier=True,
        needs="country",
        doc="Both sides name countries and none of them agree.",
    ),
    Feature(
        birth_year_mismatch,
        weight=-0.15,
        qualifier=True,
        needs="birth_date",
        doc="Both sides give a birth year and no year agrees.",
    ),
    Feature(
        birth_date_mismatch,
        weight=-0.08,
        qualifier=True,
        needs="birth_date",
        doc="A birth year agrees but both sides give full dates and none of them agree.",
    ),
    # Agreement is weak evidence of identity, weaker than disagreement is against it.
    Feature(
        country_agrees,
        weight=0.05,
        qualifier=True,
        needs="country",
        doc="The query's country is one of the entry's countries.",
    ),
    Feature(
        birth_date_agrees,
        weight=0.05,
        qualifier=True,
        needs="birth_date",
        doc="The query's birth date (or year, if that is all it gives) is one the entry gives.",
    ),
)


def qualifier_gain(query: PartyQuery, features: tuple[Feature, ...] = FEATURES) -> float:
    """The most the qualifiers can add to a name score for ``query``."""
    return sum(
        f.weight
        for f in features
        if f.qualifier and f.weight > 0 and (f.needs is None or getattr(query, f.needs))
    )


_APPLICABLE: dict[tuple[int, tuple[bool, ...]], tuple[Feature, ...]] = {}
_NEEDS: dict[int, tuple[tuple[Feature, ...], tuple[str, ...]]] = {}


def applicable(query: PartyQuery, features: tuple[Feature, ...] = FEATURES) -> tuple[Feature, ...]:
    """The features that can fire for ``query``: those whose ``needs`` it has.

    Scoring with these alone gives what scoring with all of them gives, sooner.
    """
    # Memoised by the identity of ``features`` (hashing features is slow; the
    # memo holds them, so the identity is not reused) and by which of the
    # attributes they need the query has.
    known = _NEEDS.get(id(features))
    if known is None:
        needs = tuple(sorted({f.needs for f in features if f.needs}))
        known = _NEEDS[id(features)] = (features, needs)
    have = tuple([bool(getattr(query, attr)) for attr in known[1]])
    found = _APPLICABLE.get((id(features), have))
    if found is None:
        present = {attr for attr, ok in zip(known[1], have, strict=True) if ok}
        found = _APPLICABLE[(id(features), have)] = tuple(
            f for f in features if f.needs is None or f.needs in present
        )
    return found


def score_of(c: Comparison, features: tuple[Feature, ...] = FEATURES) -> float:
    """The score :func:`evaluate` gives ``c``, without the explanation (to rank candidates)."""
    main = 0.0
    for feature in features:
        if not feature.qualifier:
            value = feature.func(c)[0] * feature.weight
            if value > main:
                main = value
    if main <= 0.0:
        return 0.0
    total = main
    for feature in features:
        if feature.qualifier:
            total += feature.func(c)[0] * feature.weight
    return min(1.0, max(0.0, total))


def evaluate(
    c: Comparison, features: tuple[Feature, ...] = FEATURES
) -> tuple[float, tuple[FeatureResult, ...], str]:
    """Score one comparison: (score in [0, 1], fired features, one-sentence explanation)."""
    results: list[FeatureResult] = []
    main = 0.0
    main_detail = ""
    for feature in features:
        if feature.qualifier:
            continue
        score, detail = feature.func(c)
        if score <= 0.0:
            continue
        results.append(FeatureResult(feature.name, score, feature.weight, detail))
        if score * feature.weight > main:
            main = score * feature.weight
            main_detail = detail
    if main <= 0.0:
        return 0.0, tuple(results), ""
    total = main
    extra: list[str] = []
    others = [r.detail for r in results if r.detail and r.detail != main_detail]
    for feature in features:
        if not feature.qualifier:
            continue
        score, detail = feature.func(c)
        if score <= 0.0:
            continue
        results.append(FeatureResult(feature.name, score, feature.weight, detail))
        total += score * feature.weight
        if detail:
            extra.append(detail)
    total = min(1.0, max(0.0, total))
    explanation = "; ".join([main_detail, *others, *extra])
    return total, tuple(results), explanation
