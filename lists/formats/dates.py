"""Dates as official lists write them, read into ISO partial dates.

Lists give birth dates at whatever precision they know, in their own
notation: ``12/05/1961`` (day first), ``00/00/1975`` and ``dd/mm/1945``
(day and month unknown), ``dd/09/1958``, ``05/1961``, ``Nov. 1973``,
``1961-05-12``. :func:`parse_date` turns each into the ISO form at the
precision the list really gives: ``"1961"``, ``"1961-05"`` or
``"1961-05-12"``. A value that names no usable year (``15/08/19yy``,
``30-35 years old``) is ``None``: a guessed date would be a false fact.
"""

from __future__ import annotations

import re
from datetime import date

# Placeholders lists write for an unknown day or month ("00", "dd", "mm", "xx", "?").
_UNKNOWN_PART = re.compile(r"^(?:0{1,2}|d{1,2}|m{1,2}|x{1,2}|\?{1,2}|-{1,2})$", re.IGNORECASE)
_YEAR = re.compile(r"^\d{4}$")
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?$")
_NUMERIC = re.compile(r"^(\w{1,2})[/.\-](\w{1,2})[/.\-](\w{4})$")
_MONTH_YEAR = re.compile(r"^(\w{1,2})[/.\-](\d{4})$")
_WORDS = re.compile(r"^(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([A-Za-z]+)\.?,?\s+(\d{4})$")

MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}


def parse_date(value: str | None, *, day_first: bool = True) -> str | None:
    """An ISO partial date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) for a list's date text, or None.

    Unknown day or month placeholders lower the precision instead of failing
    (``00/00/1975`` is ``"1975"``, ``dd/09/1958`` is ``"1958-09"``). A day
    that does not exist in its month (``31/02/1970``) also keeps only the year
    and month. ``day_first=False`` reads ``05/12/1961`` the US way, as May 12.
    """
    if value is None:
        return None
    text = " ".join(str(value).split()).strip(" .,;")
    if not text:
        return None
    if _YEAR.match(text):
        return text
    match = _ISO.match(text)
    if match:
        return _compose(match.group(1), match.group(2), match.group(3))
    match = _NUMERIC.match(text)
    if match:
        first, second, year = match.groups()
        day, month = (first, second) if day_first else (second, first)
        return _compose(year, month, day)
    match = _MONTH_YEAR.match(text)
    if match:
        return _compose(match.group(2), match.group(1), None)
    match = _WORDS.match(text)
    if match:
        day_text, month_name, year = match.groups()
        month_number = MONTHS.get(month_name.lower())
        if month_number is None:
            return None
        return _compose(year, str(month_number), day_text)
    return None


def parse_month(value: str | None) -> int | None:
    """The month number for a month name or abbreviation ("Sep.", "August"), or None."""
    if not value:
        return None
    return MONTHS.get(value.strip(" .").lower())


def to_date(value: str | None, *, day_first: bool = True) -> date | None:
    """A full calendar date for a date or date-time text, or None when the day is not known."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    # "Last Updated 10/04/2025" or "2026-02-27T00:00:09.554Z": find the date inside.
    found = re.search(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{4}", text)
    if not found:
        return None
    iso = parse_date(found.group(0), day_first=day_first)
    if iso is None or len(iso) != 10:
        return None
    return date.fromisoformat(iso)


def year_range(
    start: str | int | None, end: str | int | None, *, max_span: int = 30
) -> tuple[str, ...]:
    """Every year from ``start`` to ``end`` inclusive, as ISO year strings.

    A birth year "between 1955 and 1958" matches any of those years, so each
    is listed. Wider spans than ``max_span`` years, reversed or one-sided
    ranges keep only the years the list states: listing a century of years
    would make the date match everyone.
    """
    first = _year(start)
    last = _year(end)
    if first is None or last is None:
        return tuple(str(y) for y in (first, last) if y is not None)
    if first > last or last - first > max_span:
        return tuple(dict.fromkeys((str(first), str(last))))
    return tuple(str(y) for y in range(first, last + 1))


def _year(value: str | int | None) -> int | None:
    if value is None:
        return None
    text = str(value).strip()
    return int(text) if _YEAR.match(text) else None


def _compose(year: str, month: str | None, day: str | None) -> str | None:
    if not _YEAR.match(year):
        return None
    month_number = _part(month, 12)
    if month_number is None:
        return year
    day_number = _part(day, 31)
    if day_number is None:
        return f"{year}-{month_number:02d}"
    try:
        return date(int(year), month_number, day_number).isoformat()
    except ValueError:
        # 31/02 and the like: the month is still a fact, the day is not.
        return f"{year}-{month_number:02d}"


def _part(value: str | None, highest: int) -> int | None:
    if value is None or _UNKNOWN_PART.match(value) or not value.isdigit():
        return None
    number = int(value)
    return number if 1 <= number <= highest else None
