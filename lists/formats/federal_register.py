"""Federal Register citations as US lists write them, read into legal bases.

BIS, State and trade.gov cite the notice behind a listing in free text, in
every notation there is: ``85 FR 34495``, ``78 F.R. 49468 8/14/13``,
``83F.R. 65340 12/20/2018``, ``73 FR 54508 (9/22/08), 74 FR 8184 (2/24/09)``,
``80 F.R. 44930 7/28/15, 82 F.R. 2312 1/9/2017, ...`` (one per renewal), or
only an issue: ``Vol. 67, No. 143, 07/25/02``. :func:`fr_legal_bases` turns
each volume-and-page citation into one :class:`LegalBasis` with a stable
title (``"85 FR 34495"``) and its federalregister.gov citation address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from screening.core.model import LegalBasis

FR_CITATION_URL = "https://www.federalregister.gov/citation/{volume}-FR-{page}"

# <volume> F.R. <page> [, <second page>] [(<m/d/yy[yy]>)]. The look-arounds keep a
# date ("1/30/07") from being read as a page and a page from running into a date.
_CITATION = re.compile(
    r"(?<![\d/])(?P<volume>\d{1,3})\s*\.?\s*F\.?\s*R\.?\s*"
    r"(?:no\.\s*\d+\s*pg\.\s*)?"
    r"(?P<page>\d{1,6})(?![\d/])"
    r"(?:\s*,\s*\d{3,6}(?![\d/]))?"
    r"(?:\s*,?\s*\(?(?P<date>\d{1,2}/\d{1,3}/\d{1,4})(?![\d/]))?",
    re.IGNORECASE,
)
_ANY_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?![\d/])")
_VOLUME = re.compile(r"\bvol(?:ume)?\.?\s*(\d{1,3})\b", re.IGNORECASE)

# Volume 1 of the Federal Register is 1936, one volume a year since.
_FIRST_YEAR = 1935


def fr_legal_bases(text: str | None, fallback_date: str | None = None) -> tuple[LegalBasis, ...]:
    """One ``federal_register`` legal basis per citation in ``text``, in order, without repeats.

    A citation's own date (the notice's publication date) is used when the
    text gives a valid one; otherwise ``fallback_date`` (the listing's start or
    effective date). Text with no volume-and-page citation ("Vol. 67, No. 143,
    07/25/02") becomes one legal basis titled as written, without a URL.
    """
    if not text or not text.strip():
        return ()
    found: dict[str, LegalBasis] = {}
    for match in _CITATION.finditer(text):
        volume, page = int(match.group("volume")), int(match.group("page"))
        title = f"{volume} FR {page}"
        if title in found:
            continue
        when = _us_date(match.group("date"), volume) or fallback_date
        found[title] = LegalBasis(
            title=title,
            url=FR_CITATION_URL.format(volume=volume, page=page),
            date=when,
            kind="federal_register",
        )
    if found:
        return tuple(found.values())
    cleaned = " ".join(text.split()).strip(" ,;")
    volume_match = _VOLUME.search(cleaned)
    date_match = _ANY_DATE.search(cleaned)
    when = (
        _us_date(date_match.group(0), int(volume_match.group(1)) if volume_match else None)
        if date_match
        else None
    )
    return (LegalBasis(title=cleaned, date=when or fallback_date, kind="federal_register"),)


def merge_fr_legal_bases(cited: Iterable[tuple[str | None, str | None]]) -> tuple[LegalBasis, ...]:
    """The legal bases of several rows of one party, each notice once.

    ``cited`` holds (citation text, fallback date) per row. A notice cited by
    several rows takes the first date a citation states (one row's typo such
    as ``11/22/201`` does not win over the others' ``11/22/2021``), else the
    earliest fallback date of the rows that cite it.
    """
    merged: dict[str, LegalBasis] = {}
    fallbacks: dict[str, list[str]] = {}
    for text, fallback in cited:
        for basis in fr_legal_bases(text):
            known = merged.get(basis.title)
            if known is None or (known.date is None and basis.date is not None):
                merged[basis.title] = basis
            if fallback:
                fallbacks.setdefault(basis.title, []).append(fallback)
    return tuple(
        replace(basis, date=min(fallbacks[title]))
        if basis.date is None and fallbacks.get(title)
        else basis
        for title, basis in merged.items()
    )


def _us_date(text: str | None, volume: int | None) -> str | None:
    """ISO date for a US ``m/d/yy`` or ``m/d/yyyy``; a two-digit year takes the volume's century."""
    if not text:
        return None
    parts = text.split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    month, day, year_text = int(parts[0]), int(parts[1]), parts[2]
    if len(year_text) == 4:
        year = int(year_text)
    elif len(year_text) == 2:
        expected = _FIRST_YEAR + volume if volume else date.today().year
        candidates = (1900 + int(year_text), 2000 + int(year_text))
        year = min(candidates, key=lambda y: abs(y - expected))
    else:
        return None  # "9/13/0": a cut-off year is no date
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
