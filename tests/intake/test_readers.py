from __future__ import annotations

import codecs
import io
import zipfile

import pytest

from screening.errors import InvalidInput, PayloadTooLarge
from screening.intake.readers import (
    decode_text,
    detect_format,
    inspect_zip,
    read_csv,
    read_xlsx,
    sheet_from_json_rows,
    sniff_delimiter,
)
from tests.intake import factory
from tests.intake.conftest import ListedParty


def test_text_encodings_are_detected() -> None:
    text = "Empfänger;Land\r\nKING-PAI TECHNOLOGY HK CO., LIMITED;Türkiye\r\n"
    assert decode_text(codecs.BOM_UTF8 + text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")
    assert decode_text(text.encode("utf-16")) == (text, "utf-16")  # BOM included
    assert decode_text(text.encode("cp1252")) == (text, "cp1252")
    # 0x81 is undefined in cp1252: only Latin-1 reads it.
    assert decode_text(b"a\x81b,c\n") == ("a\x81b,c\n", "latin-1")


def test_nul_bytes_are_refused() -> None:
    with pytest.raises(InvalidInput, match="NUL bytes"):
        decode_text(b"Consignee,Country\r\nGOLD MILES\x00 LIMITED,HK\r\n")


def test_binary_garbage_is_refused() -> None:
    garbage = bytes((i * 37 + 11) % 256 for i in range(4096)).replace(b"\x00", b"\x01")
    with pytest.raises(InvalidInput, match="binary data"):
        decode_text(garbage)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"  \r\n", "the file is empty"),
        (codecs.BOM_UTF8, "the file is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "legacy .xls"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
    ],
)
def test_non_tables_are_refused_by_their_first_bytes(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        detect_format(data, "upload.csv")


def test_format_follows_content_then_name() -> None:
    workbook = factory.workbook({"S": [["Consignee", "Country"]]})
    assert detect_format(workbook, "renamed.csv") == "xlsx"
    assert detect_format(b"[]", "rows.json") == "json"
    assert detect_format(b"a;b\n", "export.txt") == "csv"
    with pytest.raises(InvalidInput, match="not a valid .xlsx workbook"):
        detect_format(b"Consignee;Country\n", "shipments.xlsx")


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ('Consignee;Country\r\n"GLOBAL RELIEF FOUNDATION, INC.";Türkiye\r\nA, B;C\r\n', ";"),
        ("Consignee,Country\r\nGTLK ASIA LIMITED,HK\r\n", ","),
        ("Consignee\tCountry\tHS\r\nGTLK ASIA LIMITED, HK\tHK\t854231\r\n", "\t"),
        ("Consignee|Country\nA|B\n", "|"),
    ],
)
def test_delimiter_is_sniffed(text: str, delimiter: str) -> None:
    assert sniff_delimiter(text) == delimiter


def test_excel_sep_line_sets_the_delimiter_and_is_not_a_row() -> None:
    read = read_csv(b"sep=,\r\nConsignee;Name,Country\r\nA;B,HK\r\n", max_rows=10)
    assert read.delimiter == ","
    sheet = read.sheets[0]
    assert sheet.headers == ("Consignee;Name", "Country")
    assert [r.row for r in sheet.rows] == [2]


def test_csv_header_is_the_first_row_with_two_cells(sdn: dict[int, ListedParty]) -> None:
    party = sdn[11619]
    data = factory.csv_bytes(
        [
            ["Shipments week 19"],
            [],
            ["Order no.", "Consignee", "Consignee", "", "Country"],
            ["A-1", party.name, party.city, "", "Türkiye", "late"],
        ],
        delimiter=",",
        encoding="utf-8",
    )
    sheet = read_csv(data, max_rows=10).sheets[0]
    assert sheet.header_row == 3
    # Duplicate headers are numbered; an empty header over data is named by position.
    assert sheet.headers == ("Order no.", "Consignee", "Consignee (2)", "Country", "Column 6")
    assert sheet.rows[0].row == 4
    assert sheet.rows[0].cells == ("A-1", party.name, party.city, "Türkiye", "late")


def test_csv_row_limit() -> None:
    rows = [["Consignee", "Country"]] + [["GOLD MILES LIMITED", "HK"]] * 11
    data = factory.csv_bytes(rows, delimiter=",", encoding="utf-8")
    assert len(read_csv(data, max_rows=11).sheets[0].rows) == 11
    with pytest.raises(PayloadTooLarge, match="more than 10 data rows") as info:
        read_csv(data, max_rows=10)
    assert info.value.status == 413


def test_malformed_csv_is_one_clear_error() -> None:
    data = b'Consignee,Country\r\n"' + b"x" * 200_000 + b'",HK\r\n'
    with pytest.raises(InvalidInput, match="malformed near line"):
        read_csv(data, max_rows=10)


def test_xlsx_reads_every_non_empty_sheet_with_its_own_header() -> None:
    data = factory.workbook(
        {
            "Empty": [],
            "Exports": [["Ship-to party", "Dest. country"], ["GTLK ASIA LIMITED", "HK"]],
            "Later": [[None], ["Title"], [None, "Consignee", "Country"], [None, "X", "RU"]],
        }
    )
    sheets = read_xlsx(data, max_rows=10).sheets
    assert [(s.name, s.header_row, s.headers) for s in sheets] == [
        ("Exports", 1, ("Ship-to party", "Dest. country")),
        ("Later", 3, ("Consignee", "Country")),
    ]
    assert [(r.row, r.cells) for r in sheets[1].rows] == [(4, ("X", "RU"))]


def test_xlsx_row_limit_counts_all_sheets() -> None:
    rows = [["Consignee", "Country"], ["GOLD MILES LIMITED", "HK"], ["GTLK ASIA LIMITED", "HK"]]
    data = factory.workbook({"A": rows, "B": rows})
    assert sum(len(s.rows) for s in read_xlsx(data, max_rows=4).sheets) == 4
    with pytest.raises(PayloadTooLarge, match="more than 3 data rows"):
        read_xlsx(data, max_rows=3)


def test_workbook_of_empty_sheets_is_refused() -> None:
    data = factory.workbook({"A": [], "B": [[None, None]]})
    with pytest.raises(InvalidInput, match="every sheet is empty"):
        read_xlsx(data, max_rows=10)


def test_zip_that_is_not_a_workbook_is_one_clear_error() -> None:
    data = factory.replace_part(
        factory.workbook({"S": [["Consignee", "Country"]]}), "xl/workbook.xml", lambda b: b"<oops"
    )
    with pytest.raises(InvalidInput, match="not a readable .xlsx workbook"):
        read_xlsx(data, max_rows=10)
    with pytest.raises(InvalidInput, match="not a zip archive"):
        inspect_zip(b"PK\x03\x04 truncated", max_unpacked_bytes=10**6, max_ratio=100)


def test_zip_bomb_is_refused_before_unpacking() -> None:
    bomb = factory.zip_bomb(300 * 1024 * 1024)
    assert len(bomb) < 2 * 1024 * 1024  # small on the wire
    with pytest.raises(PayloadTooLarge, match=r"unpacks to 30\d MB, more than the 200 MB allowed"):
        read_xlsx(bomb, max_rows=10)


def test_entry_with_an_absurd_compression_ratio_is_refused() -> None:
    bomb = factory.zip_bomb(20 * 1024 * 1024)  # under the size cap
    with pytest.raises(PayloadTooLarge, match="'xl/worksheets/sheet1.xml' expands .* zip bomb"):
        inspect_zip(bomb, max_unpacked_bytes=200 * 1024 * 1024, max_ratio=100)


def test_encrypted_zip_entries_are_refused() -> None:
    data = factory.workbook({"S": [["Consignee", "Country"]]})
    # Set the "encrypted" flag of the first entry in the central directory.
    archive = zipfile.ZipFile(io.BytesIO(data))
    offset = archive.start_dir
    patched = bytearray(data)
    patched[offset + 8] |= 0x1
    with pytest.raises(InvalidInput, match="encrypted"):
        inspect_zip(bytes(patched), max_unpacked_bytes=10**8, max_ratio=100)


def test_json_rows_become_one_table() -> None:
    sheet = sheet_from_json_rows(
        [
            {"consignee": "GTLK ASIA LIMITED", "destination_country": "HK"},
            "not an object",
            {"end_user": "GOLD MILES LIMITED", "destination_country": "HK", "hs_code": 854231},
            {"consignee": None},
        ],
        max_rows=10,
    )
    assert sheet.headers == ("consignee", "destination_country", "end_user", "hs_code")
    assert [r.row for r in sheet.rows] == [2, 4]  # index + 2; the empty object is dropped
    assert sheet.rows[1].cells == (None, "HK", "GOLD MILES LIMITED", 854231)
    assert sheet.problems == [(3, "row is a str, not an object: not read")]
    with pytest.raises(PayloadTooLarge):
        sheet_from_json_rows([{}] * 11, max_rows=10)
