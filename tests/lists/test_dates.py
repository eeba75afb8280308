"""Date texts as the lists write them (quirks taken from the real files) to ISO partial dates."""

from __future__ import annotations

from datetime import date

import pytest

from lists.formats.dates import parse_date, parse_month, to_date, year_range


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # UK lists, day first
        ("30/01/1972", "1972-01-30"),
        ("dd/mm/1945", "1945"),  # FCDO: day and month unknown
        ("00/00/1975", "1975"),  # FCDO and OFSI: the same, written with zeros
        ("dd/09/1958", "1958-09"),  # FCDO: only the day unknown
        ("00/05/1980", "1980-05"),
        ("05/1961", "1961-05"),  # OFSI "mm/yyyy"
        ("15/08/19yy", None),  # FCDO: the year itself unknown, so nothing is known
        (" 1961 ", "1961"),
        # ISO dates and date-times (UN, EU)
        ("1961-05-12", "1961-05-12"),
        ("1961-05", "1961-05"),
        ("2026-02-27T00:00:09.554Z", "2026-02-27"),
        # Month names (UN notes)
        ("Nov. 1973 ", "1973-11"),
        ("August 1961", "1961-08"),
        ("12 May 1961", "1961-05-12"),
        ("Sept 2001", "2001-09"),
        # A day that does not exist keeps the year and month.
        ("31/02/1970", "1970-02"),
        # Not a date
        ("30-35 years old", None),
        ("Between Aug. and Sep. 1977", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(text: str | None, expected: str | None) -> None:
    assert parse_date(text) == expected


def test_parse_date_month_first() -> None:
    assert parse_date("05/12/1961", day_first=False) == "1961-05-12"
    assert parse_date("05/12/1961") == "1961-12-05"


def test_parse_month() -> None:
    assert parse_month("Sep.") == 9
    assert parse_month("december") == 12
    assert parse_month("Approximately") is None
    assert parse_month(None) is None


def test_to_date_finds_the_date_in_a_heading() -> None:
    assert to_date("Last Updated 10/04/2025") == date(2025, 4, 10)
    assert to_date("2026-08-05T16:47:04.449+02:00") == date(2026, 8, 5)
    assert to_date("07/09/2026") == date(2026, 9, 7)
    assert to_date("1975") is None  # a year is not a day
    assert to_date(None) is None


def test_year_range_lists_every_year() -> None:
    assert year_range("1955", "1958") == ("1955", "1956", "1957", "1958")
    assert year_range(1960, 1960) == ("1960",)


def test_year_range_keeps_only_the_ends_when_not_a_usable_range() -> None:
    assert year_range("1900", "2000") == ("1900", "2000")  # a century would match anyone
    assert year_range("1970", "1960") == ("1970", "1960")
    assert year_range(None, "1960") == ("1960",)
    assert year_range("19yy", None) == ()
