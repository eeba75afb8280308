"""Export-control classification numbers: US ECCNs and EU dual-use numbers.

Both share one structure (15 CFR 738.2; Regulation (EU) 2021/821 Annex I): a
category digit 0-9, a product group letter A-E, and three digits whose first
names the control regime (0 Wassenaar, 1 MTCR, 2 NSG, 3 Australia Group, ...),
optionally followed by paragraphs ("3A001.a.7"). ``EAR99`` means subject to
the EAR but not listed. The meanings live in ``data/control_structure.csv``,
each row citing the regulation text it comes from; which destinations need a
licence for listed items is in ``data/control_destinations.csv``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

UNLISTED = "EAR99"
_CODE = re.compile(r"^(?P<cat>[0-9])(?P<grp>[A-EY])(?P<num>[0-9]{3})(?P<para>(?:\.[A-Z0-9]+)*)$")
_MILITARY = re.compile(r"^ML(?P<num>[0-9]{1,2})(?P<para>(?:\.[A-Z0-9]+)*)$")


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class ControlCode:
    """A parsed classification; ``listed`` is False only for EAR99."""

    code: str
    listed: bool
    category: str | None = None
    category_title: str | None = None
    group: str | None = None
    group_title: str | None = None
    regime: str | None = None  # wassenaar | missile | nuclear | chem_bio | military | unilateral
    regime_title: str | None = None
    sources: tuple[Source, ...] = ()

    @property
    def label(self) -> str:
        if not self.listed:
            return f"{self.code} (not listed on the Commerce Control List)"
        parts = [p for p in (self.category_title, self.group_title, self.regime_title) if p]
        return f"{self.code} ({'; '.join(parts)})" if parts else self.code


@cache
def _structure() -> dict[tuple[str, str], tuple[str, str, Source]]:
    text = (
        resources.files("screening.core.data").joinpath("control_structure.csv").read_text("utf-8")
    )
    return {
        (row["part"], row["key"]): (
            row["title"],
            row["regime"],
            Source(row["source_title"], row["source_url"]),
        )
        for row in csv.DictReader(io.StringIO(text))
    }


@cache
def destination_sources() -> dict[str, tuple[Source, ...]]:
    """Per destination code, the rules that require a licence for listed items ("*" = any)."""
    text = (
        resources.files("screening.core.data")
        .joinpath("control_destinations.csv")
        .read_text("utf-8")
    )
    out: dict[str, list[Source]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        out.setdefault(row["code"], []).append(Source(row["title"], row["url"]))
    return {k: tuple(v) for k, v in out.items()}


def parse_control_code(text: str) -> ControlCode:
    """Parse a normalised code ("3A001.A.7", "EAR99", "ML10").

    Raises:
        ValueError: the text is not an ECCN, an EU dual-use number, EAR99 or an ML entry.
    """
    code = re.sub(r"\s+", "", text).upper()
    if code == UNLISTED:
        return ControlCode(code=code, listed=False)
    military = _MILITARY.match(code)
    if military and 1 <= int(military.group("num")) <= 22:
        return ControlCode(
            code=code,
            listed=True,
            regime="military",
            regime_title="Common Military List of the EU / Wassenaar Munitions List",
            sources=(
                Source(
                    "Wassenaar Arrangement Munitions List",
                    "https://www.wassenaar.org/control-lists/",
                ),
            ),
        )
    match = _CODE.match(code)
    if match is None:
        raise ValueError(
            f"{text!r} is not an export control classification (expected e.g. 3A001, 5A002.a.1, "
            "EAR99 or ML10)"
        )
    table = _structure()
    category = table[("category", match.group("cat"))]
    group = table[("group", match.group("grp"))]
    regime = table.get(("regime", match.group("num")[0]))
    sources = tuple(
        dict.fromkeys(
            s for s in (category[2], group[2], regime[2] if regime else None) if s is not None
        )
    )
    return ControlCode(
        code=code,
        listed=True,
        category=match.group("cat"),
        category_title=category[0],
        group=match.group("grp"),
        group_title=group[0],
        regime=regime[1] if regime else None,
        regime_title=regime[0] if regime else None,
        sources=sources,
    )
