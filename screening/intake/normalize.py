"""One input row, cells keyed by canonical field, turned into a :class:`ShipmentRow`.

Each field has a small normaliser that returns the clean value or raises
:class:`FieldError` with a message written for the uploader. :func:`normalize_row`
turns those into :class:`RowError` values and keeps going: a row with a bad
HS code or an unknown country is still screened on its parties, only a row
without any party name is dropped.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TypeVar

import pycountry

from screening.core.controls import parse_control_code
from screening.core.countries import to_iso2
from screening.core.shipments import ROLES, PartyRef, RowError, ShipmentRow

# What a cell can hold: text from CSV and JSON, typed values from openpyxl.
Cell = str | int | float | bool | datetime | date | time | timedelta | None
_CELL_TYPES = (str, int, float, bool, datetime, date, time, timedelta, type(None))
T = TypeVar("T")

# Shipment files repeat the same countries, codes and dates on every row, so the
# per-field normalisers (pure functions of one cell) remember recent answers.
# ``typed`` keeps 1, 1.0 and True apart.
_CACHE_SIZE = 8192


class FieldError(ValueError):
    """A cell that cannot be read as its field; the message is for the uploader."""


# Values people type for "nothing here"; they are empty, not names or countries.
PLACEHOLDERS = frozenset(
    {
        "-", "--", "---", "-0-", "?", "n/a", "n.a.", "na", "n.a", "none", "nil", "null",
        "tba", "tbc", "tbd", "unknown", "same", "same as above", "as above",
        "same as consignee", "idem", "dito", "ditto",
    }
)  # fmt: skip

# Cached results Excel shows for a failed formula (=VLOOKUP that found nothing, ...).
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!"}
)

# Spellings of "not on any control list": all become EAR99, the usual export-system code.
NOT_LISTED = frozenset(
    {"EAR99", "N", "NLR", "NOTLISTED", "NOTCONTROLLED", "NICHTGELISTET", "NONLISTE"}
)

_CURRENCY_SIGNS = {"€": "EUR", "$": "USD", "US$": "USD", "£": "GBP", "RMB": "CNY", "EURO": "EUR"}


def cell_text(cell: object) -> str:
    """The cell as the uploader sees it: text as typed, whole numbers without ".0", ISO dates.

    JSON lists are joined with "; " and objects written as JSON.
    """
    if cell is None:
        return ""
    if isinstance(cell, list | tuple):
        return "; ".join(cell_text(item) for item in cell)
    if isinstance(cell, dict):
        return json.dumps(cell, ensure_ascii=False, default=str)
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time() else cell.isoformat(" ")
    if isinstance(cell, date | time):
        return cell.isoformat()
    return str(cell)


def clean_text(cell: Cell) -> str | None:
    """The cell's text with whitespace collapsed, or None when it is empty or a placeholder."""
    if cell is None:
        return None
    text = " ".join(cell_text(cell).split())
    if not text or text.casefold() in PLACEHOLDERS:
        return None
    return text


@lru_cache(maxsize=_CACHE_SIZE, typed=True)
def normalize_name(cell: Cell) -> str | None:
    """A party name as given (whitespace collapsed), or None when empty.

    Raises:
        FieldError: the cell holds only digits and punctuation, which is a
            customer number (SAP's "Ship-to party" column), not a name to screen.
    """
    text = clean_text(cell)
    if text is None:
        return None
    if re.fullmatch(r"[\d\W_]+", text):
        raise FieldError(f"{text!r} looks like a number, not a name")
    return text


@lru_cache(maxsize=_CACHE_SIZE, typed=True)
def normalize_country(cell: Cell) -> str | None:
    """ISO alpha-2 for a country name or code ("Hong Kong SAR" -> "HK"), None when empty.

    Raises:
        FieldError: the text names no country we know.
    """
    text = clean_text(cell)
    if text is None:
        return None
    code = to_iso2(text) or _locode_country(text)
    if code is None:
        raise FieldError(f"unknown country {text!r}")
    return code


def _locode_country(text: str) -> str | None:
    # Port columns often hold UN/LOCODEs ("SGSIN", "AEJEA"): the first two letters are ISO.
    if re.fullmatch(r"[A-Z]{2}[A-Z2-9]{3}", text) and to_iso2(text[:2]) == text[:2]:
        return text[:2]
    return None


# Separators between countries on a routing line. A hyphen only counts with
# spaces round it ("Guinea-Bissau"); commas are handled apart (see below).
_ROUTE_SPLIT = re.compile(r"\s*(?:;|/|\||\n|->|=>|→|>|\s-\s|\bvia\b)\s*", re.IGNORECASE)
_NO_ROUTE = frozenset({"direct", "no", "non", "keine", "n"})


@lru_cache(maxsize=_CACHE_SIZE, typed=True)
def split_countries(cell: Cell) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Transshipment countries in routing order, and the pieces that name no country.

    Splits on ``,`` ``;`` ``/`` ``|`` ``->`` ``" - "`` and ``via``; a comma that is
    part of a country's name ("Korea, Republic of") does not split it.
    """
    text = clean_text(cell)
    if text is None or text.casefold() in _NO_ROUTE:
        return (), ()
    texts = [p for p in _ROUTE_SPLIT.split(text) if p.strip()]
    codes: list[str] = []
    unknown: list[str] = []
    for part in texts:
        for piece in _comma_pieces(part):
            if piece.casefold() in PLACEHOLDERS or piece.casefold() in _NO_ROUTE:
                continue
            code = to_iso2(piece) or _locode_country(piece)
            if code is None:
                unknown.append(piece)
            elif code not in codes:
                codes.append(code)
    return tuple(codes), tuple(unknown)


# Words of the qualifier after the comma in ISO-style names ("Korea, Republic of",
# "Taiwan, Province of China"); only such a tail is joined back to its country.
_QUALIFIER_WORDS = frozenset(
    {
        "the", "of", "and", "republic", "islamic", "democratic", "people", "peoples", "s",
        "north", "south", "federated", "states", "state", "plurinational", "bolivarian",
        "united", "kingdom", "province", "china", "sar", "special", "administrative", "region",
        "federal", "arab", "socialist", "union",
    }
)  # fmt: skip


def _is_qualifier(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text.casefold())
    return bool(words) and all(w in _QUALIFIER_WORDS for w in words)


def _comma_pieces(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    pieces: list[str] = []
    i = 0
    while i < len(parts):
        # "Iran, Islamic Republic of": the tail is no country, the pair is one.
        if (
            i + 1 < len(parts)
            and _is_qualifier(parts[i + 1])
            and to_iso2(parts[i + 1]) is None
            and to_iso2(f"{parts[i]}, {parts[i + 1]}") is not None
        ):
            pieces.append(f"{parts[i]}, {parts[i + 1]}")
            i += 2
        else:
            pieces.append(parts[i])
            i += 1
    return pieces


@lru_cache(maxsize=_CACHE_SIZE, typed=True)
def normalize_hs_code(cell: Cell) -> str | None:
    """The HS / tariff code as 6-10 digits ("8542.31.00" -> "85423100"), None when empty.

    Raises:
        FieldError: other characters than digits, dots and spaces, or too few/many digits.
    """
    if isinstance(cell, bool):
        raise FieldError(f"{cell_text(cell)!r} is not a tariff number")
    if isinstance(cell, int | float):
        digits = _numeric_hs_digits(cell)
        text = cell_text(cell)
    else:
        text = clean_text(cell) or ""
        if not text:
            return None
        if not re.fullmatch(r"[\d. \u00a0]+", text):
            raise FieldError(f"{text!r} may contain only digits, dots and spaces")
        digits = re.sub(r"\D", "", text)
    if not 6 <= len(digits) <= 10:
        raise FieldError(f"{text!r} has {len(digits)} digits; it needs 6 to 10")
    return digits


def _numeric_hs_digits(number: float) -> str:
    if isinstance(number, float) and not math.isfinite(number):
        raise FieldError(f"{number!r} is not a tariff number")
    if isinstance(number, float) and not number.is_integer():
        # Typed as 8542.31 Excel keeps a float: its trailing zeros and the leading
        # zero of chapters 01-09 are lost, so rebuild "dddd.dd".
        heading, _, sub = f"{number:.2f}".partition(".")
        return heading.zfill(4) + sub
    digits = str(int(number))
    # Excel drops the leading zero of chapters 01-09 (0101.21.00 -> 1012100).
    # Tariff codes have an even number of digits, so an odd count means one was lost.
    if len(digits) in (5, 7, 9):
        digits = "0" + digits
    return digits


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan", "januar", "janvier"),
            ("february", "feb", "februar", "fevrier", "février"),
            ("march", "mar", "märz", "maerz", "mars"),
            ("april", "apr", "avril"),
            ("may", "mai"),
            ("june", "jun", "juni", "juin"),
            ("july", "jul", "juli", "juillet"),
            ("august", "aug", "aout", "août"),
            ("september", "sep", "sept", "septembre"),
            ("october", "oct", "oktober", "okt", "octobre"),
            ("november", "nov", "novembre"),
            ("december", "dec", "dezember", "dez", "decembre", "décembre"),
        ),
        start=1,
    )
    for name in names
}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")  # SAP writes 20240503
_YMD_SLASH = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})")  # dotted dates are day first
_SLASHED = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})")
_DAY_MONTH_NAME = re.compile(
    r"(\d{1,2})(?:st|nd|rd|th)?[\s.\-/]*([^\W\d_]+)\.?[\s.,\-/]*(\d{4}|\d{2})"
)
_MONTH_NAME_DAY = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_TIME_SUFFIX = re.compile(
    r"[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:am|pm|Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE
)
# Excel serial day numbers accepted as dates: 1927-05-18 .. 2173-10-14.
_SERIAL_RANGE = (10_000, 100_000)
_EXCEL_EPOCH = date(1899, 12, 30)


@lru_cache(maxsize=_CACHE_SIZE, typed=True)
def normalize_date(cell: Cell, *, day_first: bool | None = None) -> str | None:
    """An ISO date (``YYYY-MM-DD``) for a date cell or text, None when empty.

    Reads datetime cells, Excel serial numbers, ``2024-05-03``, ``20240503``,
    ``03.05.2024``, ``03-May-2024``, ``May 3, 2024`` and slashed dates. A slashed
    date whose day and month could be either way round (``05/03/2024``) needs
    ``day_first`` (see :func:`infer_day_first`).

    Raises:
        FieldError: the value is no date, or is ambiguous.
    """
    if cell is None:
        return None
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, bool | time | timedelta):
        raise FieldError(f"{cell_text(cell)!r} is not a date")
    if isinstance(cell, int | float):
        return _date_from_number(cell)
    text = clean_text(cell)
    if text is None:
        return None
    bare = _TIME_SUFFIX.sub("", text).strip()
    if re.fullmatch(r"\d{5}(?:\.\d+)?", bare):
        return _date_from_number(float(bare))
    for pattern, order in ((_ISO_DATE, "ymd"), (_COMPACT_DATE, "ymd"), (_YMD_SLASH, "ymd")):
        if match := pattern.fullmatch(bare):
            return _make_date(text, *_ordered(match.groups(), order))
    if match := _DOTTED.fullmatch(bare):
        return _make_date(text, *_ordered(match.groups(), "dmy"))
    if match := _SLASHED.fullmatch(bare):
        slash_order = _slash_order(int(match.group(1)), int(match.group(2)), day_first)
        if slash_order is None:
            raise FieldError(
                f"ambiguous date {text!r}: day and month could be either way round; "
                "write it as YYYY-MM-DD"
            )
        return _make_date(text, *_ordered(match.groups(), slash_order))
    if match := _DAY_MONTH_NAME.fullmatch(bare):
        return _make_date(text, match[3], _month(text, match[2]), match[1])
    if match := _MONTH_NAME_DAY.fullmatch(bare):
        return _make_date(text, match[3], _month(text, match[1]), match[2])
    raise FieldError(f"{text!r} is not a date we can read; write it as YYYY-MM-DD")


def infer_day_first(cells: Iterable[Cell]) -> bool | None:
    """Whether a column's slashed dates put the day first, judged by its unambiguous ones.

    ``13/05/2024`` shows day-first, ``05/13/2024`` month-first; None when the
    column shows neither or both.
    """
    day_first = month_first = False
    for cell in cells:
        if not isinstance(cell, str):
            continue
        match = _SLASHED.fullmatch(_TIME_SUFFIX.sub("", cell.strip()).strip())
        if match is None:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        day_first |= first > 12 >= second
        month_first |= second > 12 >= first
    if day_first == month_first:
        return None
    return day_first


def _slash_order(first: int, second: int, day_first: bool | None) -> str | None:
    if first > 12 or first == second:
        return "dmy"
    if second > 12:
        return "mdy"
    if day_first is None:
        return None
    return "dmy" if day_first else "mdy"


def _ordered(groups: tuple[str, ...], order: str) -> tuple[str, str, str]:
    parts = dict(zip(order, groups, strict=True))
    return parts["y"], parts["m"], parts["d"]


def _month(text: str, name: str) -> str:
    number = _MONTHS.get(name.casefold())
    if number is None:
        raise FieldError(f"{text!r} is not a date we can read; write it as YYYY-MM-DD")
    return str(number)


def _make_date(text: str, year: str, month: str, day: str) -> str:
    year_number = int(year)
    if len(year) == 2:
        # Two-digit years in shipment files are recent: 24 is 2024, 95 is 1995.
        year_number += 2000 if year_number < 70 else 1900
    try:
        return date(year_number, int(month), int(day)).isoformat()
    except ValueError:
        raise FieldError(f"{text!r} is not a valid date") from None


def _date_from_number(number: float) -> str:
    number = float(number)
    if not math.isfinite(number):
        raise FieldError(f"{number!r} is not a date")
    if number.is_integer() and 19_000_101 <= number <= 29_991_231:
        match = _COMPACT_DATE.fullmatch(str(int(number)))
        if match:
            return _make_date(str(int(number)), *match.groups())
    low, high = _SERIAL_RANGE
    if not low <= number < high:
        raise FieldError(f"{cell_text(number)!r} is not a date")
    # Excel's serial day numbers count from 1899-12-30 (its 1900 leap-year bug included).
    return (_EXCEL_EPOCH + timedelta(days=int(number))).isoformat()


@lru_cache(maxsize=_CACHE_SIZE, typed=True)
def parse_number(cell: Cell, *, decimal_comma: bool = False) -> tuple[float | None, str | None]:
    """A quantity or amount, and the currency written with it ("EUR 1.234,50"), if any.

    Thousands separators (``,`` ``.`` space ``'``) are dropped. A lone separator
    followed by exactly three digits ("1,500", "1.500") is ambiguous: with
    ``decimal_comma`` (a ';'-separated CSV, as continental Excel writes) the
    comma is the decimal mark, otherwise the English reading is taken.

    Raises:
        FieldError: the value is not a number.
    """
    if cell is None:
        return None, None
    if isinstance(cell, bool | date | time | timedelta):
        raise FieldError(f"{cell_text(cell)!r} is not a number")
    if isinstance(cell, int | float):
        if not math.isfinite(cell):
            raise FieldError(f"{cell!r} is not a number")
        return float(cell), None
    text = clean_text(cell)
    if text is None:
        return None, None
    currency = None
    match = re.fullmatch(r"(US\$|[A-Za-z]{3,4}|[€$£])?\s*(.*?)\s*(US\$|[A-Za-z]{3,4}|[€$£])?", text)
    body = text
    if match and (match.group(1) or match.group(3)) and not (match.group(1) and match.group(3)):
        body = match.group(2)
        try:
            currency = normalize_currency(match.group(1) or match.group(3))
        except FieldError:
            raise FieldError(f"{text!r} is not a number") from None
    negative = body.startswith("(") and body.endswith(")")
    body = body.strip("()")
    body = re.sub(r"[\s\u00a0\u202f'’]", "", body)
    number = _plain_number(body, decimal_comma)
    if number is None:
        raise FieldError(f"{text!r} is not a number")
    return (-number if negative else number), currency


def _plain_number(body: str, decimal_comma: bool) -> float | None:
    match = re.fullmatch(r"([+-]?)([\d.,]*\d[\d.,]*)", body)
    if match is None:
        return None
    sign, digits = match.groups()
    commas, dots = digits.count(","), digits.count(".")
    if commas and dots:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
    elif commas + dots == 0:
        decimal = "."
    else:
        mark = "," if commas else "."
        tail = digits.rsplit(mark, 1)[1]
        if commas + dots > 1:
            decimal = "," if mark == "." else "."  # repeated: thousands separators
        elif len(tail) == 3:
            decimal = "," if decimal_comma else "."  # "1,500" / "1.500": see docstring
        else:
            decimal = mark
    thousands = "." if decimal == "," else ","
    whole, _, fraction = digits.partition(decimal) if decimal in digits else (digits, "", "")
    if decimal in fraction or thousands in fraction:
        return None
    groups = whole.split(thousands)
    if len(groups) > 1 and (not groups[0] or any(len(g) != 3 for g in groups[1:])):
        return None
    return float(f"{sign}{''.join(groups)}.{fraction or '0'}")


@lru_cache(maxsize=_CACHE_SIZE, typed=True)
def normalize_currency(cell: Cell) -> str | None:
    """An ISO 4217 code ("eur" -> "EUR", "€" -> "EUR"), None when empty.

    Raises:
        FieldError: no currency by that code.
    """
    text = clean_text(cell)
    if text is None:
        return None
    code = _CURRENCY_SIGNS.get(text.upper(), text.upper())
    if pycountry.currencies.get(alpha_3=code) is None:
        raise FieldError(f"unknown currency {text!r}")
    return str(code)


@lru_cache(maxsize=_CACHE_SIZE, typed=True)
def normalize_control_code(cell: Cell) -> str | None:
    """An ECCN / dual-use number upper-cased without spaces ("3a001.a.7" -> "3A001.A.7").

    "N", "NLR", "not listed" and the like become "EAR99".
    """
    text = clean_text(cell)
    if text is None:
        return None
    code = re.sub(r"\s+", "", text).upper()
    if re.sub(r"[^A-Z0-9]", "", code) in NOT_LISTED:
        return "EAR99"
    try:
        return parse_control_code(code).code
    except ValueError as exc:
        raise FieldError(str(exc)) from None


def normalize_row(
    values: Mapping[str, object],
    *,
    row: int,
    sheet: str | None,
    original: tuple[tuple[str, str], ...] = (),
    decimal_comma: bool = False,
    day_first: bool | None = None,
) -> tuple[ShipmentRow | None, list[RowError]]:
    """One row's cells (keyed by canonical field) as a ShipmentRow, plus what could not be read.

    A field that cannot be read is left empty and reported; the row is still
    screened. A row naming no party at all is reported and returns None.
    """
    errors: list[RowError] = []

    def number(cell: Cell) -> tuple[float | None, str | None]:
        return parse_number(cell, decimal_comma=decimal_comma)

    def quantity_number(cell: Cell) -> tuple[float | None, str | None]:
        # Quantities often carry their unit ("12 PCS", "1.500 kg"); the unit is dropped.
        if isinstance(cell, str):
            cell = re.sub(r"\s*[^\W\d_]+\.?$", "", cell.strip()) or cell
        return parse_number(cell, decimal_comma=decimal_comma)

    def report(field: str | None, message: str) -> None:
        errors.append(RowError(row=row, sheet=sheet, field=field, message=message))

    cells: dict[str, Cell] = {}
    for field, raw in values.items():
        if isinstance(raw, list | tuple) and field == "transshipment_countries":
            # JSON rows may give the routing as a list.
            raw = "; ".join(str(item) for item in raw if isinstance(item, str))
        if not isinstance(raw, _CELL_TYPES):
            report(field, f"{_label(field)}: a {type(raw).__name__} is not a single value")
        elif isinstance(raw, str) and raw.strip() in EXCEL_ERRORS:
            report(field, f"{_label(field)}: the cell shows the Excel error {raw.strip()}")
        else:
            cells[field] = raw

    def read(field: str, reader: Callable[[Cell], T]) -> T | None:
        try:
            return reader(cells.get(field))
        except FieldError as exc:
            report(field, f"{_label(field)}: {exc}")
            return None

    parties: list[PartyRef] = []
    for role in ROLES:
        name = read(role, normalize_name)
        country = read(f"{role}_country", normalize_country)
        address = clean_text(cells.get(f"{role}_address"))
        if name is not None:
            parties.append(PartyRef(role=role, name=name, country=country, address=address))
        elif country is not None or address is not None:
            report(role, f"{_label(role)}: country or address given but no name; not screened")
    if not parties:
        report(None, "no party name (consignee, end user, buyer, ...): row not screened")
        return None, errors

    destination = read("destination_country", normalize_country)
    if destination is None:
        # Goods go to the consignee unless the file says otherwise.
        destination = next((p.country for p in parties if p.role == "consignee"), None)
    if destination is None:
        report("destination_country", "destination country: none given (nor a consignee country)")

    transshipment, unknown = split_countries(cells.get("transshipment_countries"))
    for piece in unknown:
        report("transshipment_countries", f"transshipment countries: unknown country {piece!r}")

    quantity, _ = read("quantity", quantity_number) or (None, None)
    value, value_currency = read("value", number) or (None, None)
    currency = read("currency", normalize_currency) or value_currency
    hs_cell = cells.get("hs_code")
    return (
        ShipmentRow(
            row=row,
            sheet=sheet,
            shipment_id=clean_text(cells.get("shipment_id")),
            date=read("date", lambda c: normalize_date(c, day_first=day_first)),
            parties=tuple(parties),
            destination_country=destination,
            transshipment_countries=transshipment,
            hs_code=read("hs_code", normalize_hs_code),
            hs_code_raw=clean_text(hs_cell),
            goods_description=clean_text(cells.get("goods_description")),
            quantity=quantity,
            value=value,
            currency=currency,
            control_code=read("control_code", normalize_control_code),
            original=original,
        ),
        errors,
    )


_LABELS = {"hs_code": "HS code", "shipment_id": "shipment ID"}


def _label(field: str) -> str:
    return _LABELS.get(field, field.replace("_", " "))
