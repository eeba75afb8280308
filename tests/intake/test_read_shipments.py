"""End-to-end intake: uploaded bytes to ShipmentRows and RowErrors."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest

from screening.core.shipments import PartyRef, RowError
from screening.errors import InvalidInput, PayloadTooLarge
from screening.intake import read_json_rows, read_shipments
from tests.intake import factory
from tests.intake.conftest import ListedParty

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 1000

FORWARDER_HEADERS = [
    "Delivery",
    "Ship date",
    "Ship-to party",
    "Ship-to address",
    "Dest. country",
    "Port of transshipment",
    "Tariff no.",
    "Material description",
    "ECCN",
    "Qty",
    "Invoice value",
    "Curr.",
    "Incoterms",
]


@pytest.fixture
def forwarder_workbook(sdn: dict[int, ListedParty]) -> bytes:
    """A forwarder's weekly export: two shipment sheets and a notes sheet."""
    gtlk, king_pai, pasit, rdif = sdn[37864], sdn[41861], sdn[31412], sdn[34036]
    return factory.workbook(
        {
            "Asia": [
                ["Weekly export report, week 19"],
                [],
                FORWARDER_HEADERS,
                [
                    80012345,
                    datetime(2024, 5, 3),
                    gtlk.name,
                    gtlk.street,
                    "Hong Kong SAR",
                    None,
                    "8542.31.00",
                    "Microcontroller, 32-bit",
                    "3a991.a.2",
                    1500,
                    12000.5,
                    "USD",
                    "FCA",
                ],
                [
                    80012346,
                    datetime(2024, 5, 6),
                    king_pai.name,
                    king_pai.street,
                    "Hong Kong",
                    "SGSIN",
                    "8542.3I.00",  # a typo: capital I for 1
                    "FPGA",
                    "EAR99",
                    20,
                    "4,250.00",
                    "usd",
                    "EXW",
                ],
            ],
            "CIS": [
                FORWARDER_HEADERS,
                [
                    80012400,
                    "07.05.2024",
                    pasit.name,
                    pasit.street,
                    "Russian Federation",
                    "Türkiye -> Kazakhstan",
                    85176200,
                    "Router",
                    "5A992.c",
                    3,
                    990,
                    "EUR",
                    "DAP",
                ],
                [80012401, None, None, None, "Kazakhstan", None, "847130", None, None, 1, 1, "EUR"],
                [
                    80012402,
                    45420,
                    rdif.name,
                    rdif.street,
                    "Kyrgyz Republic",
                    "Korea, South / United Arab Emirates",
                    "9031.80",
                    "Test equipment",
                    "N",
                    "1",
                    "1.500,00",
                    "EUR",
                    "CPT",
                ],
            ],
            "Notes": [["Remark", "Checked by"], ["Week 19 complete", "J. Doe"]],
        }
    )


def test_forwarder_workbook(forwarder_workbook: bytes, sdn: dict[int, ListedParty]) -> None:
    result = read_shipments(
        forwarder_workbook, "week19.xlsx", max_bytes=MAX_BYTES, max_rows=MAX_ROWS
    )

    assert result.format == "xlsx"
    assert result.sha256 == hashlib.sha256(forwarder_workbook).hexdigest()
    assert result.sheets == ["Asia", "CIS"]
    assert result.skipped_sheets == ["Notes"]
    assert result.rows_read == 5
    for sheet in ("Asia", "CIS"):
        mapping = result.mappings[sheet]
        assert mapping.as_dict() == {
            "Delivery": "shipment_id",
            "Ship date": "date",
            "Ship-to party": "consignee",
            "Ship-to address": "consignee_address",
            "Dest. country": "destination_country",
            "Port of transshipment": "transshipment_countries",
            "Tariff no.": "hs_code",
            "Material description": "goods_description",
            "ECCN": "control_code",
            "Qty": "quantity",
            "Invoice value": "value",
            "Curr.": "currency",
        }
        assert mapping.unmapped == ("Incoterms",)

    # The row without a party is dropped; the one with a bad HS code is kept.
    assert [(r.sheet, r.row, r.shipment_id) for r in result.rows] == [
        ("Asia", 4, "80012345"),
        ("Asia", 5, "80012346"),
        ("CIS", 2, "80012400"),
        ("CIS", 4, "80012402"),
    ]
    gtlk, king_pai, pasit, rdif = result.rows
    assert gtlk.parties == (PartyRef("consignee", sdn[37864].name, None, sdn[37864].street),)
    assert (gtlk.date, gtlk.destination_country, gtlk.hs_code) == ("2024-05-03", "HK", "85423100")
    assert (gtlk.control_code, gtlk.quantity, gtlk.value, gtlk.currency) == (
        "3A991.A.2",
        1500.0,
        12000.5,
        "USD",
    )
    assert gtlk.original[0] == ("Delivery", "80012345")
    assert gtlk.original[-1] == ("Incoterms", "FCA")
    assert len(gtlk.original) == len(FORWARDER_HEADERS)

    assert (king_pai.hs_code, king_pai.hs_code_raw) == (None, "8542.3I.00")
    assert king_pai.transshipment_countries == ("SG",)
    assert (king_pai.value, king_pai.currency, king_pai.control_code) == (4250.0, "USD", "EAR99")

    assert pasit.parties[0].name == sdn[31412].name
    assert (pasit.date, pasit.destination_country, pasit.hs_code) == (
        "2024-05-07",
        "RU",
        "85176200",
    )
    assert pasit.transshipment_countries == ("TR", "KZ")

    assert (rdif.date, rdif.destination_country) == ("2024-05-08", "KG")  # Excel serial date
    assert rdif.transshipment_countries == ("KR", "AE")
    assert (rdif.hs_code, rdif.control_code, rdif.value) == ("903180", "EAR99", 1500.0)

    assert result.errors == [
        RowError(
            row=1,
            sheet="Notes",
            field=None,
            message="sheet not read: no party or destination column among 'Remark', 'Checked by'",
        ),
        RowError(
            row=5,
            sheet="Asia",
            field="hs_code",
            message="HS code: '8542.3I.00' may contain only digits, dots and spaces",
        ),
        RowError(
            row=3,
            sheet="CIS",
            field=None,
            message="no party name (consignee, end user, buyer, ...): row not screened",
        ),
    ]


def test_cp1252_semicolon_csv_from_continental_excel(sdn: dict[int, ListedParty]) -> None:
    iran_petchem, relief = sdn[11619], sdn[7270]
    data = factory.csv_bytes(
        [
            [
                "Auftragsnummer",
                "Warenempfänger",
                "Empfängerland",
                "Zolltarifnummer",
                "Menge",
                "Warenwert",
                "Währung",
                "Versanddatum",
                "Ausfuhrlistennummer",
            ],
            [
                "A-100",
                relief.name,
                "Türkiye",
                "8471 30 00",
                "1,5",
                "12.345,67",
                "EUR",
                "03.05.2024",
                "5a002.a.1",
            ],
            [
                "A-101",
                iran_petchem.name,
                "Türkei",
                "84713000",
                "2",
                "1.500",
                "EUR",
                "06.05.2024",
                "nicht gelistet",
            ],
        ],  # fmt: skip
        delimiter=";",
        encoding="cp1252",
    )
    result = read_shipments(data, "Export_Mai.csv", max_bytes=MAX_BYTES, max_rows=MAX_ROWS)

    assert (result.format, result.encoding, result.delimiter) == ("csv", "cp1252", ";")
    assert result.mappings[None].as_dict() == {
        "Auftragsnummer": "shipment_id",
        "Warenempfänger": "consignee",
        "Empfängerland": "consignee_country",
        "Zolltarifnummer": "hs_code",
        "Menge": "quantity",
        "Warenwert": "value",
        "Währung": "currency",
        "Versanddatum": "date",
        "Ausfuhrlistennummer": "control_code",
    }
    first, second = result.rows
    assert first.parties == (PartyRef("consignee", relief.name, "TR", None),)
    assert first.destination_country == "TR"  # from the consignee country
    assert (first.quantity, first.value, first.hs_code) == (1.5, 12345.67, "84713000")
    assert (first.date, first.control_code) == ("2024-05-03", "5A002.A.1")
    assert (first.row, first.sheet) == (2, None)
    assert first.original[1] == ("Warenempfänger", relief.name)
    # "Türkei" is not a name we know: reported, and the row is still screened.
    assert second.parties == (PartyRef("consignee", iran_petchem.name, None, None),)
    assert second.value == 1500.0  # "1.500" with a decimal comma file is fifteen hundred
    assert second.control_code == "EAR99"
    assert [(e.row, e.field, e.message) for e in result.errors] == [
        (3, "consignee_country", "consignee country: unknown country 'Türkei'"),
        (3, "destination_country", "destination country: none given (nor a consignee country)"),
    ]


def test_utf16_tab_separated_unicode_text(sdn: dict[int, ListedParty]) -> None:
    # Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab-separated.
    party = sdn[41861]
    data = factory.csv_bytes(
        [
            ["Customer", "Country", "End user", "End user country", "Transit"],
            [party.name, "Hong Kong SAR", "ООО Ромашка", "Russian Federation", "Korea, South"],
        ],
        delimiter="\t",
        encoding="utf-16",
    )
    result = read_shipments(data, "export.txt", max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    assert (result.encoding, result.delimiter) == ("utf-16", "\t")
    (row,) = result.rows
    assert row.parties == (
        PartyRef("end_user", "ООО Ромашка", "RU", None),
        PartyRef("buyer", party.name, None, None),
    )
    assert (row.destination_country, row.transshipment_countries) == ("HK", ("KR",))
    assert result.errors == []


def test_json_rows_with_canonical_fields(sdn: dict[int, ListedParty]) -> None:
    rows: list[object] = [
        {
            "shipment_id": "SO-1",
            "consignee": sdn[37864].name,
            "consignee_country": "HK",
            "end_user": sdn[31412].name,
            "end_user_country": "RU",
            "destination_country": "Hong Kong SAR",
            "transshipment_countries": ["Türkiye", "Kazakhstan"],
            "hs_code": "8542.31.00",
            "quantity": 10,
            "value": 99.5,
            "currency": "usd",
        },
        {"shipment_id": "SO-2", "consignee": "", "destination_country": "RU"},
        {"shipment_id": "SO-3", "buyer": sdn[34036].name, "destination_country": "Russia",
         "hs_code": "85"},
    ]  # fmt: skip
    result = read_json_rows(rows, max_rows=10)

    assert result.format == "json"
    canonical = json.dumps(rows, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert result.sha256 == hashlib.sha256(canonical.encode()).hexdigest()
    assert [(r.row, r.shipment_id) for r in result.rows] == [(2, "SO-1"), (4, "SO-3")]
    first = result.rows[0]
    assert first.parties == (
        PartyRef("consignee", sdn[37864].name, "HK", None),
        PartyRef("end_user", sdn[31412].name, "RU", None),
    )
    assert first.transshipment_countries == ("TR", "KZ")
    assert first.original[6] == ("transshipment_countries", "Türkiye; Kazakhstan")
    assert [(e.row, e.field) for e in result.errors] == [(3, None), (4, "hs_code")]


def test_json_rows_with_raw_headers_and_overrides(sdn: dict[int, ListedParty]) -> None:
    rows: list[object] = [{"Partner": sdn[37864].name, "Land": "HK", "Kunde": "ignored"}]
    result = read_json_rows(rows, {"Partner": "end_user", "Kunde": ""}, max_rows=10)
    assert result.mappings[None].as_dict() == {"Partner": "end_user", "Land": "destination_country"}
    assert result.rows[0].parties == (PartyRef("end_user", sdn[37864].name, None, None),)


def test_json_file_upload() -> None:
    data = json.dumps({"rows": [{"consignee": "GOLD MILES LIMITED", "destination_country": "HK"}]})
    result = read_shipments(data.encode(), "rows.json", max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    assert result.format == "json"
    assert result.sha256 == hashlib.sha256(data.encode()).hexdigest()
    assert result.rows[0].destination_country == "HK"
    with pytest.raises(InvalidInput, match="not valid JSON: .* at line 1 column 3"):
        read_shipments(b"[{oops", "rows.json", max_bytes=MAX_BYTES, max_rows=MAX_ROWS)


def test_overrides_apply_on_top_of_the_automatic_mapping() -> None:
    data = factory.csv_bytes(
        [["Ship-to", "Partner", "Customer", "Destination"], ["A LTD", "B LTD", "C LTD", "RU"]],
        delimiter=",",
        encoding="utf-8",
    )
    result = read_shipments(
        data,
        "x.csv",
        mapping_overrides={"Partner": "end_user", "customer": None},
        max_bytes=MAX_BYTES,
        max_rows=MAX_ROWS,
    )
    assert result.mappings[None].as_dict() == {
        "Ship-to": "consignee",
        "Partner": "end_user",
        "Destination": "destination_country",
    }
    assert [p.role for p in result.rows[0].parties] == ["consignee", "end_user"]


def test_override_errors_name_the_problem() -> None:
    data = factory.csv_bytes([["Ship-to", "Destination"], ["A LTD", "RU"]], delimiter=",",
                             encoding="utf-8")  # fmt: skip
    with pytest.raises(InvalidInput, match="unknown mapping target 'receiver'"):
        read_shipments(
            data,
            "x.csv",
            mapping_overrides={"Ship-to": "receiver"},
            max_bytes=MAX_BYTES,
            max_rows=MAX_ROWS,
        )
    with pytest.raises(InvalidInput, match="override for 'Shipto': no such column") as info:
        read_shipments(
            data,
            "x.csv",
            mapping_overrides={"Shipto": "consignee"},
            max_bytes=MAX_BYTES,
            max_rows=MAX_ROWS,
        )
    assert "headers seen: 'Ship-to', 'Destination'" in info.value.message


def test_wrong_columns_are_one_clear_error() -> None:
    data = factory.csv_bytes([["Material", "Plant", "Qty"], ["M-1", "1000", "5"]], delimiter=",",
                             encoding="utf-8")  # fmt: skip
    with pytest.raises(InvalidInput) as info:
        read_shipments(data, "stock.csv", max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    assert info.value.message.startswith(
        "the file lacks a party name column (consignee, end_user or buyer) and a destination "
        "column (destination_country or consignee_country); headers seen: 'Material', 'Plant', "
        "'Qty'."
    )


def test_workbook_whose_shipment_sheet_lacks_a_destination_fails(
    sdn: dict[int, ListedParty],
) -> None:
    data = factory.workbook(
        {"Orders": [["Customer", "Qty"], [sdn[37864].name, 1]], "Notes": [["a", "b"]]}
    )
    with pytest.raises(InvalidInput, match="sheet 'Orders' lacks a destination column"):
        read_shipments(data, "orders.xlsx", max_bytes=MAX_BYTES, max_rows=MAX_ROWS)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "empty.csv", "the file is empty"),
        (b"Consignee,Country\r\n", "header.csv", "header row but no data rows"),
        (bytes(range(256)) * 16, "garbage.csv", "NUL bytes"),
        (bytes(range(1, 256)) * 16, "garbage.bin", "binary data"),
        (b"Consignee,Country\r\nGOLD\x00MILES,HK\r\n", "nul.csv", "NUL bytes"),
        (b"PK\x03\x04\x14\x00garbage", "broken.xlsx", "not a valid .xlsx workbook"),
        (b"Consignee,Country", "shipments.xlsx", "not a valid .xlsx workbook"),
    ],
)
def test_unreadable_files_are_one_clear_invalid_input(
    data: bytes, filename: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as info:
        read_shipments(data, filename, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    assert type(info.value) is InvalidInput
    assert info.value.status == 400


def test_limits_raise_payload_too_large() -> None:
    rows = [["Consignee", "Country"]] + [["GOLD MILES LIMITED", "HK"]] * 20
    data = factory.csv_bytes(rows, delimiter=",", encoding="utf-8")
    with pytest.raises(PayloadTooLarge, match="more than 19 data rows") as info:
        read_shipments(data, "x.csv", max_bytes=10_000, max_rows=19)
    assert info.value.status == 413
    with pytest.raises(
        PayloadTooLarge, match=f"the file is {len(data):,} bytes, more than the 100"
    ):
        read_shipments(data, "x.csv", max_bytes=100, max_rows=1000)
    with pytest.raises(PayloadTooLarge, match="more than the 200 MB allowed"):
        read_shipments(
            factory.zip_bomb(250 * 1024 * 1024), "bomb.xlsx", max_bytes=MAX_BYTES, max_rows=MAX_ROWS
        )
    with pytest.raises(PayloadTooLarge, match="21 rows were sent"):
        read_json_rows([{"consignee": "A", "destination_country": "RU"}] * 21, max_rows=20)


def test_formulas_are_never_evaluated(sdn: dict[int, ListedParty]) -> None:
    party = sdn[37864]
    data = factory.workbook(
        {
            "S": [
                ["Consignee", "Country", "Value", "Note"],
                [party.name, "HK", "=2*21", "x"],  # formula Excel saved as 42
                ["=VLOOKUP(A9,Customers!A:B,2,0)", "RU", 1, "x"],  # formula never calculated
                ["GOLD MILES LIMITED", "HK", "=1/0", "x"],  # formula, no saved value
            ]
        }
    )
    # A text cell that merely starts with "=" (CSV injection bait) stays text.
    data = factory.text_cells(data, "S", {"D2": '=HYPERLINK("http://evil","click")'})
    # Give C2 the cached value Excel would have stored.
    data = factory.replace_part(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<f>2*21</f><v></v>", b"<f>2*21</f><v>42</v>"),
    )
    result = read_shipments(data, "formulas.xlsx", max_bytes=MAX_BYTES, max_rows=MAX_ROWS)

    first, last = result.rows
    assert first.value == 42.0
    assert first.original[3] == ("Note", '=HYPERLINK("http://evil","click")')
    assert last.value is None
    assert [(e.row, e.field) for e in result.errors] == [
        (3, "consignee"),
        (3, None),
        (4, "value"),
    ]
    assert result.errors[0].message == (
        "Consignee: the cell holds a formula (=VLOOKUP(A9,Customers!A:B,2,0)) with no saved "
        "result, so it reads as empty; open and save the file in Excel, or paste the values"
    )


def test_results_round_trip_through_json(forwarder_workbook: bytes, tmp_path: Path) -> None:
    from screening.core.shipments import ShipmentRow

    result = read_shipments(
        forwarder_workbook, "week19.xlsx", max_bytes=MAX_BYTES, max_rows=MAX_ROWS
    )
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([r.to_dict() for r in result.rows]))
    assert [ShipmentRow.from_dict(d) for d in json.loads(path.read_text())] == result.rows
    assert [RowError.from_dict(e.to_dict()) for e in result.errors] == result.errors


def test_workbook_without_any_shipment_sheet_lists_every_sheet() -> None:
    data = factory.workbook(
        {"Stock": [["Material", "Plant"], ["M-1", "1000"]], "Notes": [["Remark", "By"]]}
    )
    with pytest.raises(InvalidInput) as info:
        read_shipments(data, "stock.xlsx", max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    assert info.value.message == (
        "no sheet has a party name column (consignee, end_user or buyer) and a destination "
        "column (destination_country or consignee_country); sheet 'Stock': 'Material', "
        "'Plant'; sheet 'Notes': 'Remark', 'By'"
    )
