"""The us_ofac_cons source on the real Consolidated (non-SDN) list files.

Three formats: the 2025-12-19 legacy CSV set, the 2025-01-10 Enhanced XML
(zipped) and the 2014 legacy CONSOLIDATED.XML extract.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from lists.base import ParsedList, SourceSpec
from lists.sources import us_ofac_cons
from screening.core.model import (
    Country,
    CountryRole,
    EntityKind,
    IdentifierType,
    LegalBasis,
    ListEntry,
    NameKind,
)
from screening.errors import ListFormatError


@pytest.fixture(scope="module")
def cons_dir(lists_dir: Path) -> Path:
    return lists_dir / "us_ofac_cons"


@pytest.fixture(scope="module")
def csv_2025(cons_dir: Path) -> ParsedList:
    return us_ofac_cons.parse(cons_dir / "2025-12-19")


@pytest.fixture(scope="module")
def enhanced(cons_dir: Path) -> ParsedList:
    return us_ofac_cons.parse(cons_dir / "2025-01-10")


def by_id(parsed: ParsedList) -> dict[str, ListEntry]:
    return {e.source_id: e for e in parsed.entries}


def ids(entry: ListEntry) -> set[tuple[IdentifierType, str, str | None]]:
    return {(i.type, i.value, i.country) for i in entry.identifiers}


def enhanced_xml_bytes(cons_dir: Path) -> bytes:
    with zipfile.ZipFile(cons_dir / "2025-01-10" / "CONS_ENHANCED.ZIP") as archive:
        return archive.read("CONS_ENHANCED.XML")


def test_spec_loads() -> None:
    spec = SourceSpec.load("us_ofac_cons")
    assert [f.name for f in spec.files] == [
        "cons_prim.csv",
        "cons_add.csv",
        "cons_alt.csv",
        "cons_comments.csv",
    ]
    assert spec.min_entries <= 442 <= spec.max_entries


def test_csv_set(csv_2025: ParsedList) -> None:
    assert len(csv_2025.entries) == 442
    assert csv_2025.as_of == date(2025, 12, 19)
    assert csv_2025.skipped == []
    assert sorted(csv_2025.files) == [
        "cons_add.csv",
        "cons_alt.csv",
        "cons_comments.csv",
        "cons_prim.csv",
    ]
    assert csv_2025.files["cons_prim.csv"].startswith("7027f6656b7815e3")
    programs = Counter(e.programs for e in csv_2025.entries)
    assert programs[("UKRAINE-EO13662",)] == 197
    assert programs[("UKRAINE-EO13662", "RUSSIA-EO14024")] == 86
    assert programs[("NS-PLC",)] == 76
    assert programs[("CMIC-EO13959",)] == 68
    assert all(e.entity_id.startswith("us_ofac_cons:") for e in csv_2025.entries)


def test_csv_gazprombank_needs_the_comments_file(csv_2025: ParsedList) -> None:
    # 17016's identifiers come after the 1,000-character cut, in cons_comments.csv.
    entry = by_id(csv_2025)["17016"]
    assert entry.primary_name == "GAZPROMBANK JOINT STOCK COMPANY"
    assert ids(entry) >= {
        (IdentifierType.INN, "7744001497", "RU"),
        (IdentifierType.OGRN, "1027700167110", "RU"),
        (IdentifierType.LEI, "253400WSS48YWMBUA688", None),
    }
    assert [a.country for a in entry.addresses] == ["RU", "MN", "KZ", "IN", "CN"]


def test_csv_plc_person(csv_2025: ParsedList) -> None:
    entry = by_id(csv_2025)["9639"]
    assert entry.kind is EntityKind.PERSON
    assert (entry.names[0].first, entry.names[0].last) == ("Ismail Abdul Salah", "HANIYA")
    assert entry.birth_dates == ("1962",)
    assert entry.birth_places == ("Shati",)
    assert entry.programs == ("NS-PLC",)


def test_enhanced_xml_counts(enhanced: ParsedList) -> None:
    assert len(enhanced.entries) == 443
    assert enhanced.counts() == {"organization": 363, "person": 80}
    assert enhanced.as_of == date(2025, 1, 10)
    assert enhanced.skipped == []
    assert list(enhanced.files) == ["CONS_ENHANCED.ZIP"]
    assert enhanced.files["CONS_ENHANCED.ZIP"].startswith("4cb3c92af6b72fe5")
    programs = Counter(p for e in enhanced.entries for p in e.programs)
    assert programs["UKRAINE-EO13662"] == 286
    assert programs["RUSSIA-EO14024"] == 82
    assert programs["NS-PLC"] == 78
    assert programs["CMIC-EO13959"] == 68
    lists = Counter(v for e in enhanced.entries for v in e.prop("sanctions_list"))
    assert (lists["Sectoral Sanctions Identifications List"], lists["SDN List"]) == (286, 77)


def test_enhanced_sberbank(enhanced: ParsedList) -> None:
    entry = by_id(enhanced)["17018"]
    assert entry.primary_name == "PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA"
    names = {(n.value, n.kind) for n in entry.names}
    assert ("ПАО СБЕРБАНК", NameKind.ORIGINAL_SCRIPT) in names
    assert ("SBERBANK INDIA", NameKind.WEAK_ALIAS) in names  # isLowQuality
    assert ("SBERBANK ROSSII OAO", NameKind.FORMER) in names  # F.K.A.
    assert ids(entry) >= {
        (IdentifierType.SWIFT, "SABRRUMM", None),
        (IdentifierType.INN, "7707083893", "RU"),
        (IdentifierType.OGRN, "1027700132195", "RU"),
    }
    assert entry.listed_on == "2014-09-12"  # first published on the SSI list
    assert (
        LegalBasis(title="Executive Order 14024 (Russia)", kind="legal_authority")
        in entry.legal_basis
    )
    assert ("listing_date", "EO 14024 Directive 2: 2022-02-24") in entry.properties
    assert entry.prop("website") == ["www.sberbank.ru", "www.sberbank.com"]


def test_enhanced_person_and_relationship(enhanced: ParsedList) -> None:
    entries = by_id(enhanced)
    haniya = entries["9639"]
    assert haniya.kind is EntityKind.PERSON
    assert (haniya.names[0].value, haniya.names[0].first, haniya.names[0].last) == (
        "HANIYA, Ismail Abdul Salah",
        "Ismail Abdul Salah",
        "HANIYA",
    )
    assert haniya.birth_dates == ("1962",)
    assert haniya.birth_places == ("Shati",)
    assert haniya.listed_on == "2006-04-12"
    linked = [e for e in enhanced.entries if "HAMAS" in e.linked_to]
    assert linked
    assert any(
        v == "Acting for or on behalf of: HAMAS (ent_num 4695)"
        for e in linked
        for v in e.prop("relationship")
    )
    # Nationality from a feature with a country reference value.
    palestinian = [
        e
        for e in enhanced.entries
        if Country("PS", CountryRole.NATIONALITY, "Palestinian") in e.countries
    ]
    assert palestinian


def test_formats_agree_on_shared_entries(csv_2025: ParsedList, enhanced: ParsedList) -> None:
    """The same OFAC entry, in two formats eleven months apart, has the same core facts."""
    csv_entries, xml_entries = by_id(csv_2025), by_id(enhanced)
    for ent_num in ("17016", "17018", "9639"):
        a, b = csv_entries[ent_num], xml_entries[ent_num]
        assert a.primary_name == b.primary_name
        assert a.kind is b.kind
        russian = {IdentifierType.INN, IdentifierType.OGRN}
        assert {i.value for i in a.identifiers if i.type in russian} == {
            i.value for i in b.identifiers if i.type in russian
        }


def test_consolidated_xml_2014_extract(shared_dir: Path) -> None:
    parsed = us_ofac_cons.parse(
        shared_dir / "data" / "extra" / "ofac_xml_2014" / "consolidated_2014-12-17_extract.xml"
    )
    assert len(parsed.entries) == 16
    assert parsed.as_of == date(2014, 12, 17)
    entries = by_id(parsed)
    vtb = entries["17013"]
    assert vtb.primary_name == "VTB BANK OAO"
    assert vtb.programs == ("UKRAINE-EO13662",)
    assert ids(vtb) >= {
        (IdentifierType.OGRN, "1027739609391", "RU"),
        (IdentifierType.INN, "7702070139", "RU"),
        (IdentifierType.OTHER, "00032520", "RU"),  # Government Gazette Number (OKPO)
        (IdentifierType.SWIFT, "VTBRRUMM", None),
    }
    # The legacy idList also carries websites and directive notes.
    assert vtb.prop("website") == ["www.vtb.com"]
    assert vtb.prop("directive") == ["Subject to Directive 1"]
    assert ("VNESHTORGBANK", NameKind.FORMER) in {(n.value, n.kind) for n in vtb.names}
    # The consolidated file types individuals with <nspType>.
    assert entries["9639"].kind is EntityKind.PERSON
    assert entries["9639"].birth_dates == ("1962",)


# --- malformed input ------------------------------------------------------------


def test_truncated_zip_is_refused(cons_dir: Path, tmp_path: Path) -> None:
    data = (cons_dir / "2025-01-10" / "CONS_ENHANCED.ZIP").read_bytes()
    (tmp_path / "CONS_ENHANCED.ZIP").write_bytes(data[: len(data) // 2])
    with pytest.raises(ListFormatError, match="not a readable zip"):
        us_ofac_cons.parse(tmp_path)


def test_truncated_xml_is_refused(cons_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "CONS_ENHANCED.XML").write_bytes(enhanced_xml_bytes(cons_dir)[:500_000])
    with pytest.raises(ListFormatError, match="not well-formed"):
        us_ofac_cons.parse(tmp_path)


def test_zip_without_xml_is_refused(cons_dir: Path, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cons_prim.csv", (cons_dir / "2025-12-19" / "cons_prim.csv").read_bytes())
    (tmp_path / "CONS_ENHANCED.ZIP").write_bytes(buffer.getvalue())
    with pytest.raises(ListFormatError, match="expected one XML file"):
        us_ofac_cons.parse(tmp_path)


def test_enhanced_entity_without_id_is_counted(cons_dir: Path, tmp_path: Path) -> None:
    data = enhanced_xml_bytes(cons_dir).replace(b'<entity id="9639">', b"<entity>", 1)
    (tmp_path / "CONS_ENHANCED.XML").write_bytes(data)
    parsed = us_ofac_cons.parse(tmp_path)
    assert len(parsed.entries) == 442
    assert [(s.reason, s.ref) for s in parsed.skipped] == [
        ("entity has no numeric id", "entity id=?")
    ]
    assert parsed.as_of == date(2025, 1, 10)  # from the file, not the (undated) folder


def test_csv_preferred_order(cons_dir: Path, tmp_path: Path) -> None:
    """With both formats in one folder the Enhanced XML, the richer one, is read."""
    folder = tmp_path / "2025-12-19"
    folder.mkdir()
    for name in ("cons_prim.csv", "CONS_ENHANCED.ZIP"):
        source = cons_dir / ("2025-12-19" if name.endswith(".csv") else "2025-01-10") / name
        (folder / name).write_bytes(source.read_bytes())
    parsed = us_ofac_cons.parse(folder)
    assert list(parsed.files) == ["CONS_ENHANCED.ZIP"]
    assert parsed.as_of == date(2025, 1, 10)
