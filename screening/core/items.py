"""Goods: HS codes, the Common High Priority List (CHPL), and plain descriptions.

The CHPL (BIS with the EU, Japan and the UK, 2024-02-23) names 50 HS-6
subheadings that Russia seeks for its weapons, in Tiers 1, 2, 3.A, 3.B, 4.A
and 4.B. It ships as ``data/chpl.csv`` (see ``data/README.md`` for provenance
and what was not cross-checked). A shipment line is on the CHPL when its HS
code starts with one of those six-digit codes, whatever national digits follow.

Goods descriptions without a code ("tantalum capacitors 10uF") are matched by
:func:`match_description` against ``data/chpl_keywords.csv``: trade terms per
CHPL code, built from the HS wording of the 50 codes. A description hit is a
lead for review, not a classification.

HS codes: :func:`normalize_hs` keeps digits only ("8542.31.00" is "85423100").
Six to ten digits are subheadings and national tariff lines. Four digits are
accepted as a heading, because shipping documents use them; a heading is too
coarse to be on the CHPL, so :func:`chpl_match` needs six digits or more and
:func:`chpl_in_heading` lists the CHPL codes under a heading instead.

The HS nomenclature itself (about 850 kB, WCO text) is not shipped; callers
load it from a configured file or folder with :func:`load_hs`.

Pure: stdlib only; the only file read besides package data is the one
:func:`load_hs` is given.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from screening.errors import ConfigError, ListFormatError

HS_FILE_NAME = "harmonized-system.csv"
_HS_PREFIX = re.compile(r"^\s*(?:hs|hts|cn|taric)?\s*(?:code|no\.?)?\s*[:#]?\s*", re.IGNORECASE)
_HS_ALLOWED = re.compile(r"^[\d.\s-]+$")
_WORD = re.compile(r"[a-z0-9]+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ChplItem:
    """One CHPL entry: a six-digit HS code in a tier."""

    hs6: str  # "854231"
    tier: str  # "Tier 1", "Tier 3.A", ...
    description: str  # HS 2022 wording of the subheading (WCO), not BIS's
    source_url: str
    published: str  # ISO date of the CHPL edition

    @property
    def dotted(self) -> str:
        """The code as BIS prints it: "8542.31"."""
        return f"{self.hs6[:4]}.{self.hs6[4:]}"

    @property
    def tier_tag(self) -> str:
        """The claims-registry tag of the tier: "item:chpl-tier1" (3.A and 3.B are tier3)."""
        return "item:chpl-tier" + self.tier.removeprefix("Tier ").split(".")[0]


class DescriptionMatch(NamedTuple):
    """A CHPL item a goods description points at, and the words of the text that did."""

    item: ChplItem
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Keyword:
    hs6: str
    phrase: str
    tokens: tuple[str, ...]
    unless: tuple[tuple[str, ...], ...]


def _data(name: str) -> str:
    return resources.files("screening.core.data").joinpath(name).read_text("utf-8")


@cache
def load_chpl() -> tuple[ChplItem, ...]:
    """The 50 CHPL items, in the list's order."""
    return tuple(
        ChplItem(r["hs6"], r["tier"], r["description"], r["source_url"], r["published"])
        for r in csv.DictReader(io.StringIO(_data("chpl.csv")))
    )


@cache
def chpl_tiers() -> Mapping[str, str]:
    """Tier name to BIS's definition, as copied (Tier 4.B is cut off in the source)."""
    rows = csv.DictReader(io.StringIO(_data("chpl_tiers.csv")))
    return MappingProxyType({r["tier"]: r["definition"] for r in rows})


@cache
def _chpl_index() -> Mapping[str, ChplItem]:
    return MappingProxyType({item.hs6: item for item in load_chpl()})


def normalize_hs(code: str) -> str | None:
    """The digits of an HS code ("8542.31.00" -> "85423100"), or None if it is not one.

    Accepts dots, spaces and hyphens between digits and an "HS"/"HTS"/"CN"
    prefix. A result has 4 digits (a heading) or 6 to 10 (a subheading or a
    national tariff line); anything else (letters, 2, 3, 5 or 11+ digits) is None.
    """
    text = _HS_PREFIX.sub("", code or "", count=1).strip()
    if not text or not _HS_ALLOWED.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) == 4 or 6 <= len(digits) <= 10 else None


def chpl_match(hs: str) -> ChplItem | None:
    """The CHPL item whose six-digit code starts ``hs``, or None (also for headings)."""
    digits = normalize_hs(hs)
    if digits is None or len(digits) < 6:
        return None
    return _chpl_index().get(digits[:6])


def chpl_in_heading(hs: str) -> tuple[ChplItem, ...]:
    """The CHPL items under the heading (first four digits) of ``hs``."""
    digits = normalize_hs(hs)
    if digits is None:
        return ()
    return tuple(item for item in load_chpl() if item.hs6.startswith(digits[:4]))


def load_hs(path: Path) -> dict[str, str]:
    """HS code to description from the nomenclature CSV (columns section, hscode, description, parent, level).

    ``path`` is the CSV file or a folder holding ``harmonized-system.csv``.

    Raises:
        ConfigError: no such file.
        ListFormatError: the file lacks the ``hscode`` and ``description`` columns.
    """
    file = path / HS_FILE_NAME if path.is_dir() else path
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the HS nomenclature ({exc})") from exc
    reader = csv.DictReader(io.StringIO(text))
    if not {"hscode", "description"} <= set(reader.fieldnames or ()):
        raise ListFormatError(
            f"{file.name}: not an HS nomenclature CSV (needs hscode, description)"
        )
    return {row["hscode"].strip(): row["description"].strip() for row in reader if row["hscode"]}


def _tokens(text: str) -> list[tuple[str, str]]:
    """(matching form, word as written) for each word: lower case, plural "s" dropped."""
    return [(_singular(m.group(0).lower()), m.group(0)) for m in _WORD.finditer(text)]


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) >= 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(form for form, _ in _tokens(phrase))


@cache
def _keywords() -> tuple[_Keyword, ...]:
    known = _chpl_index()
    keywords = []
    for row in csv.DictReader(io.StringIO(_data("chpl_keywords.csv"))):
        if row["hs6"] not in known:
            raise ConfigError(f"chpl_keywords.csv: {row['hs6']} is not a CHPL code")
        unless = tuple(_phrase_tokens(p) for p in (row.get("unless") or "").split(";") if p.strip())
        keywords.append(
            _Keyword(row["hs6"], row["keyword"], _phrase_tokens(row["keyword"]), unless)
        )
    return tuple(keywords)


def _chpl_category_keywords() -> Mapping[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for keyword in _keywords():
        table.setdefault(keyword.hs6, []).append(keyword.phrase)
    return MappingProxyType({hs6: tuple(phrases) for hs6, phrases in table.items()})


#: CHPL code to the trade terms that point at it (from ``data/chpl_keywords.csv``).
CHPL_CATEGORY_KEYWORDS: Mapping[str, tuple[str, ...]] = _chpl_category_keywords()


def _find(forms: list[str], phrase: tuple[str, ...]) -> int | None:
    size = len(phrase)
    for start in range(len(forms) - size + 1):
        if tuple(forms[start : start + size]) == phrase:
            return start
    return None


@cache
def _keywords_by_word() -> Mapping[str, tuple[_Keyword, ...]]:
    """Keywords by their first word, so a description only tries the keywords it could hold."""
    table: dict[str, list[_Keyword]] = {}
    for keyword in _keywords():
        if keyword.tokens:
            table.setdefault(keyword.tokens[0], []).append(keyword)
    return MappingProxyType({k: tuple(v) for k, v in table.items()})


def match_description(text: str) -> list[DescriptionMatch]:
    """The CHPL items a goods description names, each with the words that matched.

    A keyword matches when its words appear in a row in the text (case and a
    plural "s" aside) and none of its "unless" phrases ("food processor" for
    "processor") does. Each CHPL code is reported once, with its longest match,
    in the order the words appear in the text.
    """
    return list(_match_description(text or ""))


# Shipment files repeat the same few descriptions thousands of times.
@lru_cache(maxsize=8192)
def _match_description(text: str) -> tuple[DescriptionMatch, ...]:
    tokens = _tokens(text)
    forms = [form for form, _ in tokens]
    by_word = _keywords_by_word()
    candidates = dict.fromkeys(k for form in forms for k in by_word.get(form, ()))
    best: dict[str, tuple[int, tuple[str, ...]]] = {}
    for keyword in candidates:
        start = _find(forms, keyword.tokens)
        if start is None or any(_find(forms, u) is not None for u in keyword.unless):
            continue
        words = tuple(written for _, written in tokens[start : start + len(keyword.tokens)])
        known = best.get(keyword.hs6)
        if known is None or len(words) > len(known[1]):
            best[keyword.hs6] = (start, words)
    index = _chpl_index()
    ordered = sorted(best.items(), key=lambda kv: (kv[1][0], kv[0]))
    return tuple(DescriptionMatch(index[hs6], words) for hs6, (_, words) in ordered)
