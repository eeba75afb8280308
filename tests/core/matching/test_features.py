"""Features: identifiers, country and birth-date qualifiers, and how they combine."""

from __future__ import annotations

import pytest

from screening.core.matching.features import (
    FEATURES,
    Comparison,
    applicable,
    birth_date_mismatch,
    birth_year_mismatch,
    country_agrees,
    country_mismatch,
    entry_countries,
    evaluate,
    identifier_families,
    identifier_match,
    normalise_identifier,
    qualifier_gain,
    score_of,
)
from screening.core.matching.types import PartyQuery
from screening.core.model import EntityKind, Identifier, IdentifierType, ListEntry


@pytest.fixture(scope="module")
def putin(real_entries: dict[str, list[ListEntry]]) -> ListEntry:
    return next(e for e in real_entries["us_ofac_sdn"] if e.source_id == "35096")


def compare(query: PartyQuery, entry: ListEntry) -> Comparison:
    return Comparison(query=query, entry=entry, strong=None, weak=None, identifiers=())


@pytest.mark.parametrize(
    ("value", "type_", "normal"),
    [
        ("IMO 9105085", IdentifierType.IMO, "9105085"),
        ("9105085", IdentifierType.IMO, "9105085"),
        ("IMO 12345", IdentifierType.IMO, None),  # not seven digits
        ("RL 1794375", IdentifierType.PASSPORT, "RL1794375"),
        ("7706725428", IdentifierType.INN, "7706725428"),
        ("12-34", IdentifierType.PASSPORT, None),  # too short to be evidence
        ("ABCDEF1", IdentifierType.PASSPORT, None),  # too few digits
    ],
)
def test_normalise_identifier(value: str, type_: IdentifierType, normal: str | None) -> None:
    assert normalise_identifier(value, type_) == normal


def test_identifier_families() -> None:
    # A tax number listed as "tax_id" on one list and "inn" on another is one number space.
    assert set(identifier_families(IdentifierType.INN)) & set(
        identifier_families(IdentifierType.TAX_ID)
    )
    assert not set(identifier_families(IdentifierType.PASSPORT)) & set(
        identifier_families(IdentifierType.INN)
    )
    assert identifier_families(IdentifierType.KPP) == ()  # shared by many companies


def test_identifier_match_detail(putin: ListEntry) -> None:
    ours = Identifier(IdentifierType.IMO, "IMO 9105085")
    c = Comparison(PartyQuery("x"), putin, None, None, ((ours, ours),))
    assert identifier_match(c) == (1.0, "IMO IMO 9105085 agrees")


def test_country_qualifiers(putin: ListEntry) -> None:
    assert {c.code for c in putin.countries} == {"RU"}
    assert country_mismatch(compare(PartyQuery("x", country="RU"), putin))[0] == 0.0
    assert country_agrees(compare(PartyQuery("x", country="RU"), putin)) == (
        1.0,
        "country RU agrees",
    )
    score, detail = country_mismatch(compare(PartyQuery("x", country="FR"), putin))
    assert score == 1.0 and detail == "country FR vs listed RU"
    assert country_mismatch(compare(PartyQuery("x"), putin))[0] == 0.0  # nothing to compare


def test_birth_qualifiers(putin: ListEntry) -> None:
    assert "1952-10-07" in putin.birth_dates
    assert birth_year_mismatch(compare(PartyQuery("x", birth_date="1952"), putin))[0] == 0.0
    assert birth_year_mismatch(compare(PartyQuery("x", birth_date="1970-01-01"), putin))[0] == 1.0
    assert birth_date_mismatch(compare(PartyQuery("x", birth_date="1952-10-08"), putin))[0] == 1.0
    assert birth_date_mismatch(compare(PartyQuery("x", birth_date="1952-10-07"), putin))[0] == 0.0


def test_qualifiers_need_a_main_feature(putin: ListEntry) -> None:
    # A country conflict alone says nothing: no name, no identifier, no hit.
    score, results, explanation = evaluate(compare(PartyQuery("x", EntityKind.PERSON, "FR"), putin))
    assert (score, results, explanation) == (0.0, (), "")


def test_identifier_alone_is_strong_and_qualifiers_lower_it(putin: ListEntry) -> None:
    ident = Identifier(IdentifierType.PASSPORT, "123456789")
    weight = next(f.weight for f in FEATURES if f.name == "identifier_match")
    agree = Comparison(PartyQuery("x", country="RU"), putin, None, None, ((ident, ident),))
    differ = Comparison(PartyQuery("x", country="FR"), putin, None, None, ((ident, ident),))
    high, _, text = evaluate(agree)
    low, results, _ = evaluate(differ)
    assert high >= weight
    assert low < weight
    assert "country RU agrees" in text
    assert [r.name for r in results][:2] == ["identifier_match", "country_mismatch"]


def test_score_of_is_the_evaluated_score(putin: ListEntry) -> None:
    ident = Identifier(IdentifierType.PASSPORT, "123456789")
    for country in ("RU", "FR", None):
        for ids in ((), ((ident, ident),)):
            c = Comparison(PartyQuery("x", country=country), putin, None, None, ids)
            assert score_of(c) == evaluate(c)[0]


def test_features_a_query_cannot_fire_are_skipped_without_changing_scores(
    putin: ListEntry,
) -> None:
    ident = Identifier(IdentifierType.PASSPORT, "123456789")
    assert [f.name for f in applicable(PartyQuery("x"))] == [
        "name_match",
        "weak_alias_match",
    ]
    for country in ("RU", "FR", None):
        for birth_date in ("1952-10-07", "1960-01-01", "1952", None):
            query = PartyQuery("x", country=country, birth_date=birth_date, identifiers=(ident,))
            chosen = applicable(query)
            assert all(f.needs is None or getattr(query, f.needs) for f in chosen)
            c = Comparison(query, putin, None, None, ((ident, ident),))
            assert evaluate(c, chosen) == evaluate(c)
            assert score_of(c, chosen) == score_of(c)
            skipped = [f for f in FEATURES if f not in chosen]
            assert all(f.func(c)[0] == 0.0 for f in skipped)


def test_qualifier_gain_bounds_what_qualifiers_add(putin: ListEntry) -> None:
    # Only qualifiers the query can fire count: no country, no birth date, no gain.
    assert qualifier_gain(PartyQuery("x")) == 0.0
    assert qualifier_gain(PartyQuery("x", country="RU")) == pytest.approx(0.05)
    both = PartyQuery("x", country="RU", birth_date="1952-10-07")
    assert qualifier_gain(both) == pytest.approx(0.10)
    ident = Identifier(IdentifierType.PASSPORT, "123456789")
    for query in (PartyQuery("x"), PartyQuery("x", country="RU"), both):
        c = Comparison(query, putin, None, None, ((ident, ident),))
        # Putin's country and birth date agree: each qualifier the query can fire does.
        assert score_of(c) == pytest.approx(min(1.0, FEATURES[2].weight + qualifier_gain(query)))


def test_countries_passed_in_are_the_entrys(putin: ListEntry) -> None:
    query = PartyQuery("x", country="RU")
    ident = Identifier(IdentifierType.PASSPORT, "123456789")
    given = Comparison(query, putin, None, None, ((ident, ident),), False, entry_countries(putin))
    assert "RU" in entry_countries(putin)
    worked_out = Comparison(query, putin, None, None, ((ident, ident),), False)
    assert score_of(given) == score_of(worked_out) > FEATURES[2].weight
