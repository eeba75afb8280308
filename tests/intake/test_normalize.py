from __future__ import annotations

from datetime import date, datetime

import pytest

from screening.core.shipments import PartyRef
from screening.intake.normalize import (
    Cell,
    FieldError,
    cell_text,
    infer_day_first,
    normalize_control_code,
    normalize_country,
    normalize_currency,
    normalize_date,
    normalize_hs_code,
    normalize_name,
    normalize_row,
    parse_number,
    split_countries,
)
from tests.intake.conftest import ListedParty


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Hong Kong SAR", "HK"),
        ("Russian Federation", "RU"),
        ("Türkiye", "TR"),
        ("Korea, South", "KR"),  # as the OFAC address file writes it
        ("United Arab Emirates", "AE"),
        ("de", "DE"),
        ("AEJEA", "AE"),  # UN/LOCODE of Jebel Ali
        ("n/a", None),
        ("", None),
    ],
)
def test_countries(text: str, code: str | None) -> None:
    assert normalize_country(text) == code


def test_unknown_country_is_a_field_error() -> None:
    with pytest.raises(FieldError, match="unknown country 'Atlantis'"):
        normalize_country("Atlantis")


@pytest.mark.parametrize(
    ("text", "codes", "unknown"),
    [
        ("Türkiye, Georgia", ["TR", "GE"], []),
        ("Korea, South; United Arab Emirates", ["KR", "AE"], []),
        ("Iran, Islamic Republic of / Armenia", ["IR", "AM"], []),
        ("Hong Kong SAR -> Russian Federation", ["HK", "RU"], []),
        ("Kazakhstan via Georgia", ["KZ", "GE"], []),
        ("UAE - Kyrgyzstan", ["AE", "KG"], []),
        ("Guinea-Bissau", ["GW"], []),  # a hyphen inside a name does not split
        ("SGSIN | AEJEA", ["SG", "AE"], []),
        ("Turkey, Türkiye", ["TR"], []),
        ("via Dubai", [], ["Dubai"]),
        ("direct", [], []),
        (None, [], []),
    ],
)
def test_transshipment_countries(text: str | None, codes: list[str], unknown: list[str]) -> None:
    assert split_countries(text) == (tuple(codes), tuple(unknown))


@pytest.mark.parametrize(
    ("cell", "digits"),
    [
        ("8542.31.00", "85423100"),
        ("8542 31 00 00", "8542310000"),
        ("854231", "854231"),
        (85423100, "85423100"),
        (1012100, "01012100"),  # Excel dropped the leading zero of 0101.21.00
        (8471.3, "847130"),  # typed 8471.30, stored as a float
        (101.21, "010121"),
        (None, None),
        ("", None),
    ],
)
def test_hs_codes(cell: Cell, digits: str | None) -> None:
    assert normalize_hs_code(cell) == digits


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("8542", "has 4 digits; it needs 6 to 10"),
        ("85423100000", "has 11 digits"),
        ("85A2.31", "only digits, dots and spaces"),
        ("HS 8542.31", "only digits, dots and spaces"),
        (True, "not a tariff number"),
    ],
)
def test_bad_hs_codes(cell: Cell, message: str) -> None:
    with pytest.raises(FieldError, match=message):
        normalize_hs_code(cell)


@pytest.mark.parametrize(
    ("cell", "iso"),
    [
        ("2024-05-03", "2024-05-03"),
        ("2024-05-03T10:15:00Z", "2024-05-03"),
        ("20240503", "2024-05-03"),
        (20240503, "2024-05-03"),
        ("03.05.2024", "2024-05-03"),
        ("3.5.24", "2024-05-03"),
        ("03.05.2024 14:30", "2024-05-03"),
        ("13/05/2024", "2024-05-13"),
        ("05/13/2024", "2024-05-13"),
        ("05/05/2024", "2024-05-05"),
        ("2024/05/03", "2024-05-03"),
        ("03-May-2024", "2024-05-03"),
        ("3 May 2024", "2024-05-03"),
        ("3rd May 2024", "2024-05-03"),
        ("May 3, 2024", "2024-05-03"),
        ("3. Mai 2024", "2024-05-03"),
        (45415, "2024-05-03"),  # Excel serial day number
        ("45415", "2024-05-03"),
        (datetime(2024, 5, 3, 9, 30), "2024-05-03"),
        (date(2024, 5, 3), "2024-05-03"),
        (None, None),
        ("tba", None),
    ],
)
def test_dates(cell: Cell, iso: str | None) -> None:
    assert normalize_date(cell) == iso


def test_ambiguous_slashed_date_needs_the_column_order() -> None:
    with pytest.raises(FieldError, match="ambiguous date '03/05/2024'"):
        normalize_date("03/05/2024")
    assert normalize_date("03/05/2024", day_first=True) == "2024-05-03"
    assert normalize_date("03/05/2024", day_first=False) == "2024-03-05"


def test_day_order_is_inferred_from_the_unambiguous_dates_of_a_column() -> None:
    assert infer_day_first(["03/05/2024", "13/05/2024", None]) is True
    assert infer_day_first(["03/05/2024", "05/13/2024"]) is False
    assert infer_day_first(["03/05/2024", "13/05/2024", "05/13/2024"]) is None
    assert infer_day_first(["03/05/2024"]) is None


@pytest.mark.parametrize("cell", ["31.02.2024", "banana", 2024, True, "13/13/2024", "3 Maybe 2024"])
def test_bad_dates(cell: Cell) -> None:
    with pytest.raises(FieldError):
        normalize_date(cell)


@pytest.mark.parametrize(
    ("text", "decimal_comma", "number", "currency"),
    [
        ("1,234.56", False, 1234.56, None),
        ("1.234,56", False, 1234.56, None),
        ("1 234,56", False, 1234.56, None),
        ("1\u00a0234,56", False, 1234.56, None),
        ("1'234.56", False, 1234.56, None),
        ("1,234,567", False, 1234567.0, None),
        ("12,5", False, 12.5, None),
        ("1,500", False, 1500.0, None),  # English thousands
        ("1,500", True, 1.5, None),  # continental decimal comma
        ("1.500", False, 1.5, None),
        ("1.500", True, 1500.0, None),
        ("EUR 1.234,50", False, 1234.5, "EUR"),
        ("€1,200.00", False, 1200.0, "EUR"),
        ("1200 usd", False, 1200.0, "USD"),
        ("(1,234.00)", False, -1234.0, None),
        ("-5", False, -5.0, None),
    ],
)
def test_numbers(text: str, decimal_comma: bool, number: float, currency: str | None) -> None:
    assert parse_number(text, decimal_comma=decimal_comma) == (number, currency)


@pytest.mark.parametrize("text", ["abc", "1,23,4", "1.2.3", "12 apples", "XYZ 12"])
def test_bad_numbers(text: str) -> None:
    with pytest.raises(FieldError, match="is not a number"):
        parse_number(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("3a001.a.7", "3A001.A.7"),
        (" 5A 992 ", "5A992"),
        ("ML10", "ML10"),
        ("EAR99", "EAR99"),
        ("ear 99", "EAR99"),
        ("N", "EAR99"),
        ("not listed", "EAR99"),
        ("Not controlled", "EAR99"),
        ("NLR", "EAR99"),
        ("n/a", None),
        (None, None),
    ],
)
def test_control_codes(text: str | None, code: str | None) -> None:
    assert normalize_control_code(text) == code


def test_currencies() -> None:
    assert normalize_currency(" eur ") == "EUR"
    assert normalize_currency("€") == "EUR"
    assert normalize_currency("RMB") == "CNY"
    with pytest.raises(FieldError, match="unknown currency 'EURO DOLLARS'"):
        normalize_currency("EURO DOLLARS")


def test_names_keep_their_spelling_but_refuse_customer_numbers() -> None:
    assert normalize_name("  KING-PAI  TECHNOLOGY HK CO., LIMITED ") == (
        "KING-PAI TECHNOLOGY HK CO., LIMITED"
    )
    assert normalize_name("same as consignee") is None
    with pytest.raises(FieldError, match="looks like a number"):
        normalize_name(100234)


def test_cell_text_is_what_the_uploader_sees() -> None:
    assert cell_text(4500012345.0) == "4500012345"
    assert cell_text(0.1) == "0.1"
    assert cell_text(datetime(2024, 5, 3)) == "2024-05-03"
    assert cell_text(datetime(2024, 5, 3, 9, 30)) == "2024-05-03 09:30:00"
    assert cell_text(True) == "TRUE"
    assert cell_text(["TR", "GE"]) == "TR; GE"
    assert cell_text(None) == ""


def test_row_collects_parties_by_role(sdn: dict[int, ListedParty]) -> None:
    consignee, end_user = sdn[37864], sdn[31412]
    row, errors = normalize_row(
        {
            "shipment_id": 4500012345.0,
            "consignee": consignee.name,
            "consignee_country": "Hong Kong SAR",
            "consignee_address": f"{consignee.street}, {consignee.city}",
            "end_user": end_user.name,
            "end_user_country": "Russian Federation",
            "notify_party": "same as consignee",
            "transshipment_countries": "Türkiye; Kazakhstan",
            "hs_code": "8542.31.00",
            "control_code": "3a001.a.7",
            "quantity": "12 PCS",
            "value": "EUR 1.234,50",
        },
        row=7,
        sheet="May",
    )
    assert errors == []
    assert row is not None
    assert row.parties == (
        PartyRef("consignee", consignee.name, "HK", f"{consignee.street}, {consignee.city}"),
        PartyRef("end_user", end_user.name, "RU", None),
    )
    assert row.destination_country == "HK"  # from the consignee, none given
    assert row.transshipment_countries == ("TR", "KZ")
    assert (row.hs_code, row.hs_code_raw) == ("85423100", "8542.31.00")
    assert row.control_code == "3A001.A.7"
    assert (row.quantity, row.value, row.currency) == (12.0, 1234.5, "EUR")
    assert row.shipment_id == "4500012345"
    assert (row.row, row.sheet) == (7, "May")


def test_bad_fields_are_reported_and_the_row_is_kept(sdn: dict[int, ListedParty]) -> None:
    row, errors = normalize_row(
        {
            "buyer": sdn[34036].name,
            "buyer_country": "Moskva",
            "destination_country": "Russia",
            "hs_code": "85A2",
            "date": "#N/A",
            "transshipment_countries": "Georgia, Mordor",
        },
        row=3,
        sheet=None,
    )
    assert row is not None
    assert row.parties == (PartyRef("buyer", sdn[34036].name, None, None),)
    assert (row.hs_code, row.hs_code_raw, row.date) == (None, "85A2", None)
    assert row.transshipment_countries == ("GE",)
    assert [(e.row, e.field) for e in errors] == [
        (3, "date"),
        (3, "buyer_country"),
        (3, "transshipment_countries"),
        (3, "hs_code"),
    ]
    assert errors[0].message == "date: the cell shows the Excel error #N/A"
    assert errors[1].message == "buyer country: unknown country 'Moskva'"
    assert errors[3].message == "HS code: '85A2' may contain only digits, dots and spaces"


def test_row_without_any_party_name_is_dropped_with_an_error() -> None:
    row, errors = normalize_row(
        {"consignee": "", "consignee_country": "Türkiye", "hs_code": "854231"}, row=9, sheet="S"
    )
    assert row is None
    assert [(e.field, e.message) for e in errors] == [
        ("consignee", "consignee: country or address given but no name; not screened"),
        (None, "no party name (consignee, end user, buyer, ...): row not screened"),
    ]


def test_missing_destination_is_reported() -> None:
    row, errors = normalize_row({"end_user": "GOLD MILES LIMITED"}, row=2, sheet=None)
    assert row is not None and row.destination_country is None
    assert [e.field for e in errors] == ["destination_country"]
