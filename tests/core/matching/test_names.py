"""Name analysis: token classes, legal forms, generic words, Arabic name parts, variants."""

from __future__ import annotations

import pytest

from screening.core.matching.names import (
    GENERIC,
    INITIAL,
    LEGAL,
    LOCATION,
    NAME,
    NUMBER,
    PARTICLE,
    PATRONYMIC,
    TITLE,
    analyse,
    name_variants,
)
from screening.core.model import EntityKind

ORG = EntityKind.ORGANIZATION
PERSON = EntityKind.PERSON


def forms(raw: str, kind: EntityKind | None) -> list[tuple[str, int]]:
    return [(t.form, t.cls) for t in analyse(raw, kind).tokens]


@pytest.mark.parametrize(
    "raw",
    [
        "OOO ROMASHKA",
        "ООО «Ромашка»",
        "ROMASHKA LLC",
        "Limited Liability Company Romashka",
        "Obshchestvo s ogranichennoy otvetstvennostyu Romashka",
        "Общество с ограниченной ответственностью «Ромашка»",
        "TOV ROMASHKA",
        "ТОВ Ромашка",
        "Romashka GmbH",
    ],
)
def test_llc_forms_in_any_language_and_script_are_one(raw: str) -> None:
    assert sorted(forms(raw, ORG)) == [("llc", LEGAL), ("romashka", NAME)]


@pytest.mark.parametrize(
    "raw",
    ["AO ZVEZDA", "ОАО Звезда", "PAO ZVEZDA", "PJSC ZVEZDA", "Публичное акционерное общество Звезда",
     "ZVEZDA JSC", "CJSC ZVEZDA", "Aktsionernoe obshchestvo Zvezda"],
)  # fmt: skip
def test_joint_stock_forms_are_one(raw: str) -> None:
    assert sorted(forms(raw, ORG)) == [("jsc", LEGAL), ("zvezda", NAME)]


def test_chinese_company_in_characters_and_pinyin() -> None:
    assert forms("成都景昕科技有限公司", ORG) == [
        ("chengdujingxin", NAME),
        ("technology", GENERIC),
        ("ltd", LEGAL),
    ]
    assert forms("Chengdu Jingxin Keji Youxian Gongsi", ORG) == [
        ("chengdu", NAME),
        ("jingxin", NAME),
        ("technology", GENERIC),
        ("ltd", LEGAL),
    ]


def test_generic_words_abbreviations_places_and_numbers() -> None:
    assert forms("HK SINO INTL TRADING GRP 224", ORG) == [
        ("hong_kong", LOCATION),
        ("china", LOCATION),
        ("international", GENERIC),
        ("trading", GENERIC),
        ("group", GENERIC),
        ("224", NUMBER),
    ]
    # Transliterated Russian generic words land on the same concepts.
    assert forms("TEKHNOLOGII", ORG) == forms("TECHNOLOGIES", ORG) == [("technology", GENERIC)]


def test_short_legal_forms_only_at_the_ends() -> None:
    # "AS" is a legal form at the end, an Arabic article at the start.
    assert forms("ARGUMENT AS", ORG) == [("argument", NAME), ("jsc", LEGAL)]
    assert forms("AS SAHAB MEDIA", ORG)[0] == ("al", PARTICLE)


def test_spelt_out_acronym_closes_up() -> None:
    assert forms("A-B-C Company", ORG) == [("abc", NAME), ("co", LEGAL)]


def test_kind_inferred_from_legal_form() -> None:
    assert analyse("EMMA LLC", None).tokens[-1].cls == LEGAL
    assert [t.cls for t in analyse("Emma Daniels", None).tokens] == [NAME, NAME]


def test_person_parts() -> None:
    tokens = forms("Haji Abdul KARIM", PERSON)
    assert tokens == [("haji", TITLE), ("abd", NAME), ("karim", NAME)]
    assert forms("Abd al-Rahman bin Ali", PERSON) == [
        ("abd", NAME),
        ("al", PARTICLE),
        ("rahman", NAME),
        ("bin", PARTICLE),
        ("ali", NAME),
    ]
    assert forms("Abdurrahman", PERSON) == [("abd", NAME), ("rahman", NAME)]
    assert forms("Abdullah", PERSON) == [("abd", NAME), ("allah", NAME)]
    assert forms("Oleg Anatolyevich VOLOSHYN", PERSON)[1] == ("anatolyevich", PATRONYMIC)
    assert forms("A. ZAKHAROV", PERSON) == [("a", INITIAL), ("zakharov", NAME)]
    # Chinese syllables are never particles ("bin" is not Arabic here).
    assert forms("倪高彬", PERSON) == [("ni", NAME), ("gao", NAME), ("bin", NAME)]


def test_a_name_of_titles_only_is_a_by_name() -> None:
    # Alone, "Haji", "Sahib", "Sahab" name the person: they count as name words,
    # spelt as written (not merged into the title group "sahib").
    assert forms("Haji Sahib", PERSON) == [("haji", NAME), ("sahib", NAME)]
    assert forms("SAHAB", PERSON) == [("sahab", NAME)]
    assert forms("Mullah Sahib al Haj", PERSON)[2] == ("al", PARTICLE)
    # Beside a name word they stay titles.
    assert forms("Haji Sahib Khan", PERSON) == [("haji", TITLE), ("sahib", TITLE), ("khan", NAME)]


def test_lineage_and_rank_words() -> None:
    assert forms("Akhter Mohmad son of Noor Mohmad", PERSON)[2] == ("bin", PARTICLE)
    assert forms("اختر محمد ولد نور محمد", PERSON)[2] == ("ould", PARTICLE)
    assert forms("Sardar Soleimani", PERSON) == [("sardar", TITLE), ("soleimani", NAME)]


def test_given_name_groups() -> None:
    groups = {analyse(n, PERSON).tokens[0].group for n in ("Aleksandr", "Alexander", "Oleksandr")}
    assert groups == {"alexander"}
    assert (
        analyse("Yusuf", PERSON).tokens[0].group
        == analyse("Joseph", PERSON).tokens[0].group
        == "yusuf"
    )
    assert analyse("يوسف", PERSON).tokens[0].group == "yusuf"  # by skeleton, from Arabic script


def test_vessel_prefixes() -> None:
    assert forms("M/V SAINT LIGHT", EntityKind.VESSEL) == [
        ("mv", TITLE),
        ("saint", NAME),
        ("light", NAME),
    ]
    assert forms("MV SAINT LIGHT", EntityKind.VESSEL)[1:] == forms("SAINT LIGHT", EntityKind.VESSEL)


def test_exact_key_ignores_order_script_and_legal_form_spelling() -> None:
    assert (
        analyse("ZAKHAROV, Alexander", PERSON).exact_key
        == analyse("Alexander Zakharov", PERSON).exact_key
    )
    assert analyse("OOO Romashka", ORG).exact_key == analyse("Ромашка ООО", ORG).exact_key


def test_notes_explain_normalisation() -> None:
    notes = analyse("ООО ТЕХНОЛОГИИ", ORG).notes()
    assert "legal form OOO=LLC" in notes
    assert "transliterated from Cyrillic" in notes


@pytest.mark.parametrize(
    ("raw", "variants"),
    [
        ("Plain Name", ["Plain Name"]),
        ("حسن غول (Hassan Ghul; Hassan Gul)", ["حسن غول", "Hassan Ghul", "Hassan Gul"]),
        ("JAMAAT-UL-AHRAR (JuA)", ["JAMAAT-UL-AHRAR", "JuA", "JAMAAT-UL-AHRAR JuA"]),
        ("Abubakar (original script: Абубакар)", ["Abubakar", "Абубакар"]),
        ("Qasim Soleimani; Qasem Sulaimani", ["Qasim Soleimani", "Qasem Sulaimani"]),
        (
            "HAINENG MACHINERY (HONG KONG) CO., LIMITED",
            [
                "HAINENG MACHINERY CO., LIMITED",
                "HONG KONG",
                "HAINENG MACHINERY HONG KONG CO., LIMITED",
            ],
        ),
        (
            "Hay’at Tahrir al-Sham (HTS) (هيئة تحرير الشام (original script); Assembly for the Liberation of Syria)",
            [
                "Hay’at Tahrir al-Sham",
                "HTS",
                "هيئة تحرير الشام",
                "Assembly for the Liberation of Syria",
            ],
        ),
        ("X (Y", ["X Y"]),  # an unclosed bracket is read as text
    ],
)
def test_name_variants(raw: str, variants: list[str]) -> None:
    assert name_variants(raw) == variants
