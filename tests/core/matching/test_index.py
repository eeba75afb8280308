"""Golden cases: real list entries screened through the index built from the real lists."""

from __future__ import annotations

import pytest

from screening.core.matching import (
    ALGORITHM_VERSION,
    FEATURES,
    Hit,
    MatchIndex,
    MatchPolicy,
    PartyQuery,
    clear_caches,
)
from screening.core.matching.text import skeleton
from screening.core.model import EntityKind, Identifier, IdentifierType, ListEntry, NameKind

PERSON = EntityKind.PERSON
ORG = EntityKind.ORGANIZATION
VESSEL = EntityKind.VESSEL
SDN = {"us_ofac_sdn"}
OFSI = {"uk_ofsi"}


def top(index: MatchIndex, query: PartyQuery, sources: set[str] | None = None) -> Hit:
    hits = index.screen(query, MatchPolicy(), sources)
    assert hits, f"no hit for {query.name!r}"
    return hits[0]


def alerts(index: MatchIndex, query: PartyQuery, sources: set[str] | None = None) -> list[Hit]:
    return [h for h in index.screen(query, MatchPolicy(), sources) if h.alert]


def test_index_holds_every_entry(
    real_index: MatchIndex, real_entries: dict[str, list[ListEntry]]
) -> None:
    # SOURCES.md: SDN 14,965 entries, OFSI 4,686 designations, UN 1,003.
    assert len(real_index) == 14_965 + 4_686 + 1_003 == sum(len(v) for v in real_entries.values())
    assert real_index.name_count > len(real_index)


# --- Russian companies: Cyrillic against Latin, legal forms in any language ---------------


def test_cyrillic_company_finds_latin_listing(real_index: MatchIndex) -> None:
    # us_ofac_sdn:47437 is listed only in Latin letters.
    hit = top(real_index, PartyQuery("ООО КОМПАНИЯ ИНТЕРВЕСП", ORG), SDN)
    assert hit.entity_id == "us_ofac_sdn:47437"
    assert hit.alert
    assert "legal form OOO=LLC" in hit.explanation
    assert "transliterated" in hit.explanation


def test_full_russian_legal_form_against_abbreviation(real_index: MatchIndex) -> None:
    hit = top(
        real_index,
        PartyQuery("Общество с ограниченной ответственностью «Бина Групп»", ORG, "RU"),
        SDN,
    )
    assert hit.entity_id == "us_ofac_sdn:48684"  # 'LTD BINA GROUP'
    assert hit.alert
    assert "country RU agrees" in hit.explanation


@pytest.mark.parametrize(
    "name", ["ZVEZDA PJSC", "PAO ZVEZDA", "Публичное акционерное общество «Звезда»"]
)
def test_legal_form_swaps(real_index: MatchIndex, name: str) -> None:
    ids = {h.entity_id for h in alerts(real_index, PartyQuery(name, ORG), SDN)}
    assert "us_ofac_sdn:26513" in ids  # 'PAO ZVEZDA' / 'PUBLIC JOINT STOCK COMPANY ZVEZDA'


def test_llc_in_latin_against_ooo(real_index: MatchIndex) -> None:
    hit = top(real_index, PartyQuery("INTERVESP LLC", ORG), SDN)
    assert hit.entity_id == "us_ofac_sdn:47437"  # 'KOMPANIYA INTERVESP OOO'
    assert hit.alert


# --- Chinese companies: characters against pinyin -------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "华信船务(香港)有限公司",  # simplified characters; the list has the English name
        "Huaxin Chuanwu Xianggang Youxian Gongsi",  # pinyin by word
        "HUA XIN CHUAN WU XIANG GANG YOU XIAN GONG SI",  # pinyin by syllable
    ],
)
def test_chinese_company_characters_and_pinyin(real_index: MatchIndex, name: str) -> None:
    hit = top(real_index, PartyQuery(name, ORG), SDN)
    assert hit.entity_id == "us_ofac_sdn:23777"  # 'HUAXIN SHIPPING HONGKONG LTD'
    assert hit.alert


def test_pinyin_against_characters_on_the_list(real_index: MatchIndex) -> None:
    hit = top(real_index, PartyQuery("Chengdu Jingxin Keji Youxian Gongsi", ORG), OFSI)
    assert (
        hit.entity_id == "uk_ofsi:16675"
    )  # 成都景昕科技有限公司 / CHENGDU JINGXIN TECHNOLOGY CO. LTD
    assert hit.score >= 0.95


# --- Persons: romanisations, scripts, word order --------------------------------------------


@pytest.mark.parametrize(
    "name", ["Mohamed Yehia Moujahid", "Muhammad Yahia MUDJAHID", "محمد يحيى مجاهد"]
)
def test_arabic_name_romanisations(real_index: MatchIndex, name: str) -> None:
    hit = top(real_index, PartyQuery(name, PERSON), SDN)
    assert hit.entity_id == "us_ofac_sdn:11376"  # 'MUJAHID, Mohammed Yahya'
    assert hit.alert


def test_reversed_person_name(real_index: MatchIndex) -> None:
    hit = top(real_index, PartyQuery("ZAKHAROV, Alexander", PERSON), OFSI)
    assert hit.entity_id == "uk_ofsi:16271"  # 'Alexander Vyacheslavovich ZAKHAROV'
    assert hit.alert
    assert hit.matched_name_kind is NameKind.PRIMARY


def test_cyrillic_person_against_latin_listing(real_index: MatchIndex) -> None:
    hit = top(real_index, PartyQuery("ЗАХАРОВ Александр", PERSON, "RU"), SDN)
    assert hit.entity_id == "us_ofac_sdn:45937"  # 'ZAKHAROV, Aleksandr Vyacheslavovich'


def test_birth_date_qualifies_but_never_filters(real_index: MatchIndex) -> None:
    same = top(
        real_index, PartyQuery("Путин Владимир Владимирович", PERSON, birth_date="1952-10-07"), SDN
    )
    other = top(
        real_index, PartyQuery("Путин Владимир Владимирович", PERSON, birth_date="1970"), SDN
    )
    assert same.entity_id == other.entity_id == "us_ofac_sdn:35096"
    assert "born 1952-10-07 agrees" in same.explanation
    assert other.score < same.score
    assert "birth_year_mismatch" in {f.name for f in other.features}


# --- Retrieval: spellings a typo, a sound, a join or a title away --------------------------------


def test_one_consonant_swapped_in_a_short_skeleton(real_index: MatchIndex) -> None:
    # Rajab / Ragab (Egyptian g for jim): skeletons "rjb" / "rkb", one edit apart.
    hit = top(real_index, PartyQuery("Abdallah RAJAB", PERSON), OFSI)
    assert hit.entity_id == "uk_ofsi:8645"  # 'Abdullah RAGAB'
    assert hit.alert


def test_latin_ch_for_cyrillic_kh(real_index: MatchIndex) -> None:
    hit = top(real_index, PartyQuery("PROMTECHNOLOGIES", ORG), OFSI)
    assert hit.entity_id == "uk_ofsi:15980"  # 'PROMTEKHNOLOGIA'
    assert hit.score >= 0.7


@pytest.mark.parametrize("name", ["Hannibal GHATHAFI", "Hannibal ELKADDAFI"])
def test_first_letter_or_glued_article_differs(real_index: MatchIndex, name: str) -> None:
    # 'HANNIBAL MUAMMAR QADHAFI': q/gh and a glued "el" change the first letter.
    assert top(real_index, PartyQuery(name, PERSON), OFSI).entity_id == "uk_ofsi:11636"


def test_three_words_around_a_particle_read_as_one(real_index: MatchIndex) -> None:
    hit = top(real_index, PartyQuery("Yahya ALAA AL DINI", PERSON), SDN)
    assert hit.entity_id == "us_ofac_sdn:40606"  # 'ALAEDDINI, Yahya'
    assert hit.alert


def test_joined_arabic_script_words_by_coarse_key(real_index: MatchIndex) -> None:
    # ثناء اللہ is "thna allah"; the list writes "Sanaullah" (th / s).
    hit = top(real_index, PartyQuery("ثناء اللہ غفاری", PERSON), SDN)
    assert hit.entity_id == "us_ofac_sdn:33941"  # 'GHAFARI, Sanaullah'
    assert hit.alert


def test_a_by_name_of_titles(real_index: MatchIndex) -> None:
    hits = real_index.screen(PartyQuery("SAHAB", PERSON), MatchPolicy(), OFSI)
    assert hits[0].entity_id == "uk_ofsi:7863"  # weak alias 'SAHAB'
    assert "uk_ofsi:7209" in {h.entity_id for h in hits}  # alias 'SAHIB'


def test_qualifiers_can_lift_a_name_to_review(real_index: MatchIndex) -> None:
    # The name alone scores under review; the agreeing country lifts it.
    # UK OFSI's 'Bada SETH' (India) is OFAC's Dawood IBRAHIM, a.k.a. 'SETH, Iqbal'.
    query = PartyQuery("Bada SETH", PERSON)
    bare = real_index.compare(query, "us_ofac_sdn:9758", MatchPolicy(alert=0.99, review=0.01))
    assert bare is not None and bare.score < MatchPolicy().review
    assert "us_ofac_sdn:9758" not in {
        h.entity_id for h in real_index.screen(query, MatchPolicy(), SDN)
    }
    hits = real_index.screen(PartyQuery("Bada SETH", PERSON, "IN"), MatchPolicy(), SDN)
    assert "us_ofac_sdn:9758" in {h.entity_id for h in hits}


# --- Vessels: IMO numbers and former names --------------------------------------------------


def test_former_vessel_names_from_remarks(real_index: MatchIndex) -> None:
    # us_ofac_sdn:4243 EBANO, "f.k.a. 'ANA I'; f.k.a. 'SAND SWAN'" in Remarks.
    hit = top(real_index, PartyQuery("SAND SWAN", VESSEL), SDN)
    assert hit.entity_id == "us_ofac_sdn:4243"
    assert hit.matched_name_kind is NameKind.FORMER
    assert hit.alert


def test_renamed_vessel_found_by_imo(real_index: MatchIndex) -> None:
    # us_ofac_sdn:27310 'JASMINE' (f.k.a. EMMA), IMO 9105085, screened under a name it never had.
    query = PartyQuery(
        "OCEAN PEARL", VESSEL, identifiers=(Identifier(IdentifierType.IMO, "IMO 9105085"),)
    )
    hit = top(real_index, query, SDN)
    assert hit.entity_id == "us_ofac_sdn:27310"
    assert hit.alert
    assert "identifier_match" in {f.name for f in hit.features}
    assert "IMO 9105085 agrees" in hit.explanation


def test_vessel_former_name_with_prefix(real_index: MatchIndex) -> None:
    hit = top(real_index, PartyQuery("M/V EMMA", VESSEL), SDN)
    assert hit.entity_id == "us_ofac_sdn:27310"


# --- False-positive traps ----------------------------------------------------------------------


def test_legal_form_alone_matches_nothing(real_index: MatchIndex) -> None:
    assert real_index.screen(PartyQuery("CORP", None), MatchPolicy()) == []
    assert real_index.screen(PartyQuery("LLC", ORG), MatchPolicy()) == []


def test_generic_words_alone_do_not_alert(real_index: MatchIndex) -> None:
    assert alerts(real_index, PartyQuery("INTERNATIONAL TRADING COMPANY LIMITED", ORG)) == []
    assert alerts(real_index, PartyQuery("GLOBAL TECHNOLOGY GROUP", ORG)) == []


def test_emma_llc_is_not_emma_daniels(real_index: MatchIndex) -> None:
    # us_ofac_sdn:29857 'EMMA LLC' (watchman #338 matched it at 100% for "emma daniels").
    assert alerts(real_index, PartyQuery("Emma Daniels", None)) == []
    hits = alerts(real_index, PartyQuery("EMMA LLC", None))
    assert [h.entity_id for h in hits] == [
        "us_ofac_sdn:29857"
    ]  # not the person or vessel named Emma


def test_a_number_that_disagrees(real_index: MatchIndex) -> None:
    listed = "JOINT STOCK COMPANY 419 AIRCRAFT REPAIR PLANT"  # us_ofac_sdn:45027
    assert top(real_index, PartyQuery(listed, ORG), SDN).entity_id == "us_ofac_sdn:45027"
    other = real_index.compare(
        PartyQuery("JOINT STOCK COMPANY 420 AIRCRAFT REPAIR PLANT", ORG),
        "us_ofac_sdn:45027",
        MatchPolicy(),
    )
    assert other is None or not other.alert


def test_short_names_do_not_match_everything(real_index: MatchIndex) -> None:
    assert len(real_index.screen(PartyQuery("A-B-C Company", ORG), MatchPolicy(max_hits=50))) <= 3


# --- The interface -------------------------------------------------------------------------------


def test_hits_are_sorted_explained_and_stamped(real_index: MatchIndex) -> None:
    policy = MatchPolicy(alert=0.9, review=0.5, max_hits=5)
    hits = real_index.screen(PartyQuery("Vladimir Putin", PERSON), policy)
    assert 1 <= len(hits) <= 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(policy.review <= h.score <= 1.0 for h in hits)
    assert all(h.alert == (h.score >= policy.alert) for h in hits)
    assert {h.entity_id for h in hits if h.score == 1.0} >= {"us_ofac_sdn:35096", "uk_ofsi:14196"}
    first = hits[0]
    assert first.algorithm == ALGORITHM_VERSION
    assert first.query_name == "Vladimir Putin"
    assert first.explanation.startswith("name 'Vladimir Putin' ~ listed")
    assert first.features[0].name == "name_match"


def test_sources_restrict_hits(real_index: MatchIndex) -> None:
    hits = real_index.screen(PartyQuery("Vladimir Putin", PERSON), MatchPolicy(), {"uk_ofsi"})
    assert hits and all(h.entity_id.startswith("uk_ofsi:") for h in hits)


def test_candidates_measure_retrieval(real_index: MatchIndex) -> None:
    found = real_index.candidates(
        PartyQuery("Mohamed Yehia Moujahid", PERSON), limit=50, sources=SDN
    )
    assert "us_ofac_sdn:11376" in found
    assert len(found) <= 50


def test_forgotten_memos_give_the_same_hits(real_index: MatchIndex) -> None:
    query = PartyQuery("Hannibal ELKADDAFI", PERSON, country="LY")
    before = real_index.screen(query, MatchPolicy(), OFSI)
    clear_caches()
    assert skeleton.cache_info().currsize == 0
    again = real_index.screen(query, MatchPolicy(), OFSI)
    assert before and again == before
    assert skeleton.cache_info().currsize > 0


def test_compare_scores_one_entity(real_index: MatchIndex) -> None:
    hit = real_index.compare(
        PartyQuery("ZAKHAROV, Alexander", PERSON), "uk_ofsi:16271", MatchPolicy()
    )
    assert hit is not None and hit.entity_id == "uk_ofsi:16271"
    with pytest.raises(KeyError):
        real_index.compare(PartyQuery("x", PERSON), "nowhere:1", MatchPolicy())


def test_features_are_documented() -> None:
    assert all(f.doc for f in FEATURES)
    assert any(f.qualifier and f.weight < 0 for f in FEATURES)


def test_policy_validates() -> None:
    with pytest.raises(ValueError, match="review"):
        MatchPolicy(alert=0.5, review=0.6)
    with pytest.raises(ValueError, match="max_hits"):
        MatchPolicy(max_hits=0)
    assert PartyQuery("x", country=" ru ").country == "RU"
