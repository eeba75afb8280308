"""Normalisation: folding, transliteration per script, phonetic skeletons."""

from __future__ import annotations

import pytest

from screening.core.matching.text import (
    coarse,
    fold,
    script_of,
    skeleton,
    tokenize,
    transliterate,
    vowel_frame,
)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("ООО «ТЕХНОЛОГИИ»", "ooo tekhnologii"),
        ("Владимир Путин", "vladimir putin"),
        ("Юрий Щукин", "yuriy shchukin"),
        ("Олександр Євген", "oleksandr yevhen"),  # Ukrainian letters switch the table
        ("Сергій", "serhiy"),
        ("Fares Mohammed MANA'A", "fares mohammed manaa"),  # apostrophes close up
        ("'ABD AL-SALAM", "abd al salam"),
        ("Vladímír Pútín", "vladimir putin"),
        ("L.L.C. & Co.", "llc and co"),  # dotted acronyms close up, & reads "and"
        ("Ｆｕｌｌ ＷＩＤＴＨ", "full width"),  # NFKC
        ("习近平", "xi jin ping"),  # one token per pinyin syllable
        ("김정은", "gim jeong eun"),
        ("Αλέξανδρος", "alexandros"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_fold_arabic_keeps_consonants_and_splits_the_article() -> None:
    assert fold("محمد علي") == "mhmd ali"
    assert fold("عبد الرحمن") == "abd al rhmn"
    # Word-initial ya/waw are consonants with an unwritten vowel.
    assert fold("يوسف") == "yausf"
    assert fold("وليد") == "walid"


def test_tokenize_and_empty_input() -> None:
    assert tokenize("  ZAKHAROV,  Alexander ") == ["zakharov", "alexander"]
    assert tokenize("") == []
    assert tokenize("«»") == []


def test_transliterate_keeps_latin_and_digits() -> None:
    assert transliterate("Zavod №9 Москва") == "Zavod No9 Moskva"


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Ivan", "Latin"),
        ("Иван", "Cyrillic"),
        ("محمد", "Arabic"),
        ("华为", "CJK"),
        ("김정은", "Hangul"),
        ("Νικόλαος", "Greek"),
        ("ינון", "Other"),
        ("1234", "Latin"),
    ],
)
def test_script_of(text: str, script: str) -> None:
    assert script_of(text) == script


@pytest.mark.parametrize(
    "variants",
    [
        # Cyrillic romanisation schemes: BGN/PCGN, ISO 9 (diacritics folded), passport, ad hoc.
        ("zakharov", "zaharov", "sakharov"),
        ("yevgeny", "evgeniy", "evgenii", "yevgeniy"),
        ("aleksandr", "alexander", "oleksandr", "alexandr"),
        ("shchukin", "schukin", "shukin"),
        ("tsarev", "tzarev", "czarev"),
        ("zhukov", "žukov", "shukov"),
        ("yuriy", "yuri", "iurii", "yurii"),
        ("maria", "mariya", "mariia"),
        # Arabic romanisations, and the Arabic script itself.
        ("muhammad", "mohammed", "mohamed", "mohamad", "محمد"),
        ("hussein", "husayn", "hussain", "hossein", "حسين"),
        ("qasem", "ghasem", "kasem", "qassem", "قاسم"),
        ("khalid", "khaled", "halid", "خالد"),
        ("abdullah", "abdulla", "عبدالله"),
        ("yusuf", "yousef", "youssef", "يوسف"),
        ("marwan", "مروان"),
        ("osama", "usama", "أسامة"),
    ],
)
def test_skeleton_unites_spelling_variants(variants: tuple[str, ...]) -> None:
    keys = {skeleton(fold(v)) for v in variants}
    assert len(keys) == 1, keys


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ahmad", "hamid"),  # a leading vowel is kept apart
        ("majid", "sajid"),
        ("ivanov", "petrov"),
    ],
)
def test_skeleton_keeps_different_names_apart(a: str, b: str) -> None:
    assert skeleton(a) != skeleton(b)


def test_skeleton_keeps_digits_and_empty() -> None:
    assert skeleton("224") == "224"
    assert skeleton("") == ""
    assert skeleton("ooo") == "ooo"  # all vowels: the word itself


def test_vowel_frame_tells_apart_shared_skeletons() -> None:
    assert skeleton("soleimani") == skeleton("salman")
    assert vowel_frame("soleimani") != vowel_frame("salman")
    assert vowel_frame("mohammed") == vowel_frame("muhammad")


def test_coarse_merges_dentals_and_sibilants() -> None:
    # فضل (Fadl) romanised as "fdl" meets "Fazal"; ثناء meets "Sana".
    assert coarse(skeleton(fold("فضل"))) == coarse(skeleton("fazal"))
    assert coarse(skeleton("thna")) == coarse(skeleton("sana"))
