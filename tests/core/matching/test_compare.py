"""Token similarity and name alignment, with class weights only (no list rarity)."""

from __future__ import annotations

import pytest

from screening.core.matching.compare import (
    CLASS_WEIGHT,
    Side,
    align,
    edit_budget,
    name_score,
    sim_row,
    token_sim,
)
from screening.core.matching.names import Token, analyse
from screening.core.model import EntityKind

PERSON = EntityKind.PERSON
ORG = EntityKind.ORGANIZATION


def side(raw: str, kind: EntityKind | None) -> Side:
    tokens = analyse(raw, kind).tokens
    return Side.of(tokens, tuple(CLASS_WEIGHT[t.cls] for t in tokens))


def score(query: str, listed: str, kind: EntityKind | None = PERSON) -> float:
    q = side(query, kind)
    return name_score(q, [sim_row(t) for t in q.tokens], side(listed, kind))


def tok(raw: str, kind: EntityKind | None = PERSON) -> Token:
    return analyse(raw, kind).tokens[0]


def test_edit_budget_grows_with_length() -> None:
    assert [edit_budget(n) for n in (1, 3, 4, 5, 6, 9, 10, 20)] == [0, 0, 1, 1, 2, 2, 3, 3]


@pytest.mark.parametrize(
    ("a", "b", "low"),
    [
        ("Mohammed", "Muhammad", 0.85),  # skeleton and vowel frame agree
        ("Aleksandr", "Oleksandr", 0.9),  # given-name group
        ("Yusuf", "Joseph", 0.9),
        ("Zakharov", "Zaharov", 0.85),
        ("Qadhafi", "Ghathafi", 0.7),  # dentals swapped, vowels in place
        ("ELKADDAFI", "QADHAFI", 0.7),  # glued article
        ("Voloshin", "Voloshyn", 0.85),
    ],
)
def test_token_variants_are_similar(a: str, b: str, low: float) -> None:
    assert token_sim(analyse(a, PERSON).tokens[0], analyse(b, PERSON).tokens[0]) >= low


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hassan", "Hussein"),  # two known names of different groups
        ("Ahmad", "Hamid"),
        ("Olga", "Oleg"),  # short skeletons need the spelling to agree
        ("Soleimani", "Salman"),
        ("Yujong", "Jong"),  # a leading vowel is kept apart (coarse keys drop it)
    ],
)
def test_different_names_stay_apart(a: str, b: str) -> None:
    assert token_sim(analyse(a, PERSON).tokens[0], analyse(b, PERSON).tokens[0]) <= 0.7


def test_abbreviations_compare_by_spelling() -> None:
    # "CST" and "GTSST" share the skeleton "kst", but letters without vowels are
    # not sounds: only the spelling counts.
    assert token_sim(tok("CST", ORG), tok("GTSST", ORG)) == 0.0
    assert token_sim(tok("CST", ORG), tok("CST", ORG)) == 1.0


def test_numbers_agree_or_not() -> None:
    assert token_sim(tok("224", ORG), tok("224", ORG)) == 1.0
    assert token_sim(tok("224", ORG), tok("225", ORG)) == 0.0


def test_word_order_and_omitted_patronymic() -> None:
    assert score("ZAKHAROV, Alexander", "Alexander ZAKHAROV") == pytest.approx(1.0)
    full = score("Alexander ZAKHAROV", "Aleksandr Vyacheslavovich ZAKHAROV")
    assert 0.85 <= full < 1.0


def test_contradiction_costs_more_than_omission() -> None:
    omitted = score("Saber HAMCHO", "Mohammad Saber HAMCHO")
    contradicted = score("Ahmad Saber HAMCHO", "Mohammad Saber HAMCHO")
    assert contradicted < omitted


def test_joined_words() -> None:
    assert score("Xi Jin Ping", "Xi Jinping") >= 0.9
    assert score("Sana Ullah", "Sanaullah") >= 0.85


def test_legal_forms_and_generic_words_weigh_little() -> None:
    assert score("ZVEZDA PJSC", "PAO ZVEZDA", ORG) == pytest.approx(1.0)
    # Only a legal form and generic words agree: capped low.
    assert score("TRADING COMPANY", "KOREA TAESONG TRADING COMPANY", ORG) <= 0.3
    # A whole name of generic words counts when it agrees in full.
    assert score("HONG KONG ELECTRONICS", "HONG KONG ELECTRONICS", ORG) == pytest.approx(1.0)


def test_numbers_must_agree() -> None:
    same = score("AIRCRAFT REPAIR PLANT 419", "AIRCRAFT REPAIR PLANT NO 419", ORG)
    other = score("AIRCRAFT REPAIR PLANT 420", "AIRCRAFT REPAIR PLANT NO 419", ORG)
    assert same >= 0.9
    assert other < 0.5


def test_alignment_explains_itself() -> None:
    q = side("OOO Romashka Tekhnologii", ORG)
    c = side("ООО «Ромашка Технологии»", ORG)
    result = align(q, c)
    assert ("romashka", "romashka", 1.0) in result.pairs
    assert ("tekhnologii", "tekhnologii", 1.0) in result.pairs
    assert result.number_conflict is False
    assert result.score == pytest.approx(1.0)
    partial = align(side("Romashka Invest", ORG), side("Romashka Trade", ORG))
    assert partial.unmatched_query == ("invest",)
    assert partial.unmatched_listed == ("trade",)
