"""Field clean-up shared by the list parsers; the inputs are values from the real UK and UN lists."""

from __future__ import annotations

import pytest

from lists.formats.values import (
    clean,
    clean_name,
    country,
    document_type,
    identifier_type,
    language_code,
    registration_identifiers,
    split_numbered,
)
from screening.core.model import CountryRole, IdentifierType


def test_clean() -> None:
    assert clean("  Roberт  \n Петрович\u00a0 ") == "Roberт Петрович"
    assert clean("n/a") is None
    assert clean("NA") == "NA"  # Namibia
    assert clean("-") is None
    assert clean(None) is None


def test_clean_name_drops_wrapping_quotes() -> None:
    assert clean_name('"KOMID"') == "KOMID"
    assert clean_name('JOINT-STOCK COMPANY "SALYUT"') == 'JOINT-STOCK COMPANY "SALYUT"'


@pytest.mark.parametrize(
    ("text", "items"),
    [
        (
            "(1) Central African Republic. (2) South Sudan",
            ["Central African Republic", "South Sudan"],
        ),
        ("(1) to (6) Algeria (7) Morocco", ["Algeria", "Morocco"]),
        ("(1-3) Libya (4) Morocco", ["Libya", "Morocco"]),
        ("(1) Uganda (2) Uganda (3)Uganda", ["Uganda", "Uganda", "Uganda"]),
        # An area code in brackets is not an item number.
        (
            "(1) +7 (831) 211-40-00 (2) 8 (831) 211-41-20",
            ["+7 (831) 211-40-00", "8 (831) 211-41-20"],
        ),
        ("Pakistan", ["Pakistan"]),
        (None, []),
    ],
)
def test_split_numbered(text: str | None, items: list[str]) -> None:
    assert split_numbered(text) == items


def test_country_keeps_the_label_and_marks_unknown_places() -> None:
    found = country("Iran (Islamic Republic of)", CountryRole.NATIONALITY)
    assert found is not None and (found.code, found.label) == ("IR", "Iran (Islamic Republic of)")
    unknown = country("Former USSR Currently Belarus", CountryRole.BIRTH)
    assert unknown is not None and unknown.code == "XX"
    assert country("", CountryRole.BIRTH) is None


def test_language_code() -> None:
    assert language_code("Russian") == "ru"
    assert language_code("Persian/Farsi") == "fa"
    assert language_code("Cyrillic") is None  # a script, not a language


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Passport", IdentifierType.PASSPORT),
        ("Numéro de passeport ", IdentifierType.PASSPORT),
        ("Número de pasaporte", IdentifierType.PASSPORT),
        ("National Identification Number", IdentifierType.NATIONAL_ID),
        ("Afghan national identification card (tazkira) number", IdentifierType.NATIONAL_ID),
        ("Italian Fiscal Code:", IdentifierType.TAX_ID),
        ("Birth certificate", IdentifierType.OTHER),
    ],
)
def test_document_type(text: str, kind: IdentifierType) -> None:
    assert document_type(text) is kind


def test_identifier_type_reads_russian_shapes_only_in_russian_context() -> None:
    assert identifier_type(None, "1125261000040", russian=True) is IdentifierType.OGRN
    assert identifier_type(None, "7731339867", russian=True) is IdentifierType.INN
    assert identifier_type(None, "7731339867", russian=False) is IdentifierType.REGISTRATION
    assert (
        identifier_type(IdentifierType.TAX_ID, "1800970008", russian=False) is IdentifierType.TAX_ID
    )
    assert identifier_type(IdentifierType.TAX_ID, "91131181MA07MANB7G", russian=False) is (
        IdentifierType.USCC
    )


def _ids(text: str, *, russian: bool) -> list[tuple[str, str]]:
    return [(i.type.value, i.value) for i in registration_identifiers(text, russian=russian)]


def test_registration_identifiers_from_uk_business_reg_no() -> None:
    # Values of the "(Business Reg No)" fact in OFSI ConList 2025-04-10.
    assert _ids(
        "(1) OGRN – 1125261000040 (2) INN – 5261079332 (3) KPP - 526101001", russian=True
    ) == [
        ("ogrn", "1125261000040"),
        ("inn", "5261079332"),
        ("kpp", "526101001"),
    ]
    assert _ids("TIN - 7703104630", russian=True) == [("inn", "7703104630")]
    assert _ids("9709056472 - Russia INN", russian=True) == [("inn", "9709056472")]
    assert _ids("1067746244026 dated 27/07/1992. Tax ID: 7705713236", russian=True) == [
        ("ogrn", "1067746244026"),
        ("inn", "7705713236"),
    ]
    assert _ids(
        "(1) (УНН/ИНН): 190950894 (Belarus) (2) 7704734000/770301001 (Russia)", russian=True
    ) == [
        ("tax_id", "190950894"),
        ("inn", "7704734000"),
        ("kpp", "770301001"),
    ]
    assert _ids("Unified Social Credit Code: 91441400686355518J", russian=False) == [
        ("uscc", "91441400686355518J")
    ]
    assert _ids("(1) Kazakhstan BIN - 170440031562", russian=False) == [
        ("registration", "170440031562")
    ]
    assert _ids("License number: 328", russian=False) == []


def test_registration_identifiers_keep_the_label_of_other_numbers() -> None:
    found = registration_identifiers("SWIFT/BIC MINNRUMM  BIK (RU) 044525600", russian=True)
    assert [(i.type, i.value, i.note) for i in found] == [
        (IdentifierType.OTHER, "044525600", "BIK (RU)")
    ]
