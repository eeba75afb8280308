"""The report layout as data: one tuple of :class:`Column` per sheet.

Every writer (Excel, CSV) walks these tuples, so adding a column is a one-line
change here. A column's ``value`` reads one *record* of the screening result
document (``ScreeningOutcome.document()``, a plain JSON-ready mapping) and
returns a cell value: text, a number, None for an empty cell, or a
:class:`Link`. Nothing here writes a file or knows about a spreadsheet library.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Generic, Literal, NamedTuple, TypeVar

from screening.core.items import load_chpl
from screening.core.rules.base import Verdict
from screening.core.rules.party import ROLE_LABELS
from screening.core.rules.sources import CHPL_SOURCE

Doc = Mapping[str, Any]
R = TypeVar("R")

# text: a string as given; integer, decimal: numbers; verdict: a verdict value,
# filled with its colour; link: a Link (text with a hyperlink).
Kind = Literal["text", "integer", "decimal", "verdict", "link"]


@dataclass(frozen=True, slots=True)
class Link:
    """Cell text with one hyperlink.

    The target is ``url`` (an http(s) address), or the row of ``claim_id`` on the
    Claims sheet, or cell A1 of ``sheet``; the first one given wins. A writer that
    cannot link (CSV, a claim missing from the Claims sheet) writes the text.
    """

    text: str
    url: str | None = None
    claim_id: str | None = None
    sheet: str | None = None


CellValue = str | int | float | Link | None


@dataclass(frozen=True, slots=True)
class Column(Generic[R]):
    """One column of a sheet: its header, how to read a record, and how to show it."""

    title: str
    value: Callable[[R], CellValue]
    width: float = 16
    wrap: bool = False
    kind: Kind = "text"


# -- sheet names (already valid Excel names) ---------------------------------------------------

SUMMARY = "Summary"
SHIPMENTS = "Shipments"
FLAGS = "Flags"
ERRORS = "Input errors"
CLAIMS = "Claims"
LISTS = "Lists"
RULES = "Rules"

# -- verdicts -----------------------------------------------------------------------------------

VERDICTS: tuple[str, ...] = tuple(v.value for v in sorted(Verdict, key=lambda v: -v.rank))

# Fill and font colour per verdict (Google Sheets' light palette: readable in print and on screen).
VERDICT_COLOURS: Mapping[str, tuple[str, str]] = {
    "blocked": ("#7B0000", "#FFFFFF"),
    "high": ("#E06666", "#000000"),
    "medium": ("#F6B26B", "#000000"),
    "low": ("#FFE599", "#000000"),
    "clear": ("#B6D7A8", "#000000"),
}

VERDICT_MEANINGS: Mapping[str, str] = {
    "blocked": "Do not ship: a listed party or a prohibited combination was found.",
    "high": "Hold the shipment until a reviewer clears it.",
    "medium": "Review before shipping (a possible match, a high-priority item to a hub).",
    "low": "Ship; note the flag in the file (e.g. a Tier 3 or 4 item to a low-risk place).",
    "clear": "Nothing fired.",
}


# -- records ------------------------------------------------------------------------------------

OriginalKey = tuple[str, int]  # (input header, its occurrence in the row: 0 for the first)


class ShipmentRecord(NamedTuple):
    """One shipment of the document, with its original cells keyed by header."""

    shipment: Doc
    original: Mapping[OriginalKey, str]


class FlagRecord(NamedTuple):
    shipment: Doc
    flag: Doc


class RuleRecord(NamedTuple):
    rule: Doc
    flags: int  # flags the rule raised in this report


class CountRecord(NamedTuple):
    """A line of a summary table: a key (verdict, reason code), what it means, how many."""

    key: str
    label: str
    total: int


def original_cells(shipment: Doc) -> dict[OriginalKey, str]:
    """The row's original (header, cell text) pairs keyed by (header, occurrence)."""
    pairs = (shipment.get("shipment") or {}).get("original") or ()
    cells = {(str(h), 0): str(v) for h, v in pairs}
    if len(cells) == len(pairs):
        return cells
    # A header repeated within one row: keep every cell, numbering the repeats.
    cells = {}
    seen: dict[str, int] = {}
    for header, value in pairs:
        n = seen.get(str(header), 0)
        seen[str(header)] = n + 1
        cells[(str(header), n)] = str(value)
    return cells


# -- value helpers ------------------------------------------------------------------------------


def _str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _lines(values: Iterable[Any]) -> str | None:
    return "\n".join(str(v) for v in values if v not in (None, "")) or None


def _run(doc: Doc) -> Doc:
    return doc.get("run") or {}


def _input(doc: Doc) -> Doc:
    return _run(doc).get("input") or {}


def top_reasons(flags: Sequence[Doc], limit: int = 3) -> list[str]:
    """Up to ``limit`` distinct flag messages, worst severity first (stable within a severity)."""
    ordered = sorted(flags, key=lambda f: -_rank(f.get("severity")))
    return list(dict.fromkeys(str(f.get("message", "")) for f in ordered))[:limit]


def _rank(severity: Any) -> int:
    try:
        return Verdict(severity).rank
    except ValueError:
        return -1


def claim_ids(flag: Doc) -> list[str]:
    """The ids of the registry claims a flag cites, in citation order, without repeats."""
    cited = (c.get("claim_id") for c in flag.get("citations") or ())
    return list(dict.fromkeys(c for c in cited if c))


def legal_citations(flag: Doc) -> list[Doc]:
    """The flag's other citations: legal basis, regulation, item list."""
    return [c for c in flag.get("citations") or () if not c.get("claim_id")]


def is_web_url(url: Any) -> bool:
    return isinstance(url, str) and url.startswith(("https://", "http://"))


def claims_link(flag: Doc) -> Link | None:
    """All claim ids as text, linked to the first claim's row on the Claims sheet."""
    ids = claim_ids(flag)
    return Link("\n".join(ids), claim_id=ids[0]) if ids else None


def legal_link(flag: Doc) -> Link | None:
    """All legal-basis titles as text, linked to the first legal-basis URL."""
    cites = legal_citations(flag)
    if not cites:
        return None
    # "; " rather than a line each: a Denied Persons entry cites a dozen or more notices.
    titles = "; ".join(dict.fromkeys(str(c.get("title") or c.get("url") or "") for c in cites))
    return Link(titles, url=first_legal_url(flag))


def first_legal_url(flag: Doc) -> str | None:
    """The first legal-basis URL as text (what the Legal basis link points at)."""
    return next((c["url"] for c in legal_citations(flag) if is_web_url(c.get("url"))), None)


def review_note(flag: Doc) -> str | None:
    """Why a dismissed match is back: the dismissal, re-opened because the entry changed."""
    details = flag.get("details") or {}
    dismissed = details.get("dismissed")
    if not details.get("reopened") or not isinstance(dismissed, Mapping):
        return None
    return (
        f"Re-opened: dismissed by {dismissed.get('by')} on {dismissed.get('at')} "
        f"({dismissed.get('reason')}); the list entry has changed since."
    )


def _list_name(flag: Doc) -> str | None:
    return _str(flag.get("list_source") or (flag.get("details") or {}).get("list"))


def _role(flag: Doc) -> str | None:
    role = flag.get("role")
    return None if role is None else ROLE_LABELS.get(role, str(role))


def _mapping_text(mapping: Any) -> str | None:
    if not isinstance(mapping, Mapping) or not mapping:
        return None
    return "\n".join(f"{header} → {field}" for header, field in mapping.items())


def _policy_text(policy: Any) -> str | None:
    if not isinstance(policy, Mapping):
        return None
    parts = []
    if policy.get("escalate_mediums"):
        parts.append(f"{policy['escalate_mediums']} or more medium flags make a shipment high.")
    overrides = policy.get("overrides") or {}
    if overrides:
        parts.append("Overrides: " + "; ".join(f"{k} → {v}" for k, v in overrides.items()) + ".")
    return " ".join(parts) or None


def flag_count(doc: Doc) -> int:
    return sum(len(s.get("flags") or ()) for s in doc.get("shipments") or ())


def _errors_link(doc: Doc) -> CellValue:
    count = len(doc.get("errors") or ())
    return Link(str(count), sheet=ERRORS) if count else 0


# -- Summary ------------------------------------------------------------------------------------

# Label and value, one per line, over the whole document.
SUMMARY_FIELDS: tuple[Column[Doc], ...] = (
    Column("Run id", lambda d: _str(_run(d).get("id"))),
    Column("Run by", lambda d: _str(_run(d).get("created_by"))),
    Column("Run at (UTC)", lambda d: _str(_run(d).get("created_at"))),
    Column("Finished at (UTC)", lambda d: _str(_run(d).get("finished_at"))),
    Column("Channel", lambda d: _str(_run(d).get("channel"))),
    Column("Input file", lambda d: _str(_input(d).get("name"))),
    Column("Input file SHA-256", lambda d: _str(_input(d).get("sha256"))),
    Column("Rows screened", lambda d: len(d.get("shipments") or ()), kind="integer"),
    Column("Input errors", _errors_link, kind="link"),
    Column("Flags raised", flag_count, kind="integer"),
    Column("Matching algorithm", lambda d: _str(_run(d).get("algorithm"))),
    Column("Ruleset", lambda d: _str(_run(d).get("ruleset"))),
    Column(
        "Alert threshold", lambda d: (_run(d).get("thresholds") or {}).get("alert"), kind="decimal"
    ),
    Column(
        "Review threshold",
        lambda d: (_run(d).get("thresholds") or {}).get("review"),
        kind="decimal",
    ),
    Column("Verdict policy", lambda d: _policy_text(_run(d).get("verdict_policy")), wrap=True),
    Column("Column mapping", lambda d: _mapping_text(_run(d).get("mapping")), wrap=True),
    Column(
        "Lists",
        lambda d: Link(
            f"{len(_run(d).get('list_versions') or ())} list versions; "
            "sources, licences and attribution on the Lists sheet",
            sheet=LISTS,
        ),
        kind="link",
    ),
)

VERDICT_TABLE: tuple[Column[CountRecord], ...] = (
    Column("Verdict", lambda r: r.key, 14, kind="verdict"),
    Column("What to do", lambda r: r.label, 60, wrap=True),
    Column("Shipments", lambda r: r.total, 12, kind="integer"),
)

REASON_TABLE: tuple[Column[CountRecord], ...] = (
    Column("Reason code", lambda r: r.key, 30),
    Column("Rule", lambda r: r.label, 60, wrap=True),
    Column("Flags", lambda r: r.total, 12, kind="integer"),
)

# -- Lists (and the list-versions table of the Summary) ------------------------------------------

LIST_COLUMNS: tuple[Column[Doc], ...] = (
    Column("Source", lambda v: _str(v.get("source")), 14),
    Column("Title", lambda v: _str(v.get("title")), 44, wrap=True),
    Column("As of", lambda v: _str(v.get("as_of")), 12),
    Column("Loaded at", lambda v: _str(v.get("loaded_at")), 20),
    Column("Version id", lambda v: v.get("version"), 10, kind="integer"),
    Column("Entries", lambda v: v.get("entries"), 10, kind="integer"),
    Column("SHA-256", lambda v: _str(v.get("sha256")), 30, wrap=True),
    Column(
        "Official URL",
        lambda v: Link(v["url"], url=v["url"]) if is_web_url(v.get("url")) else _str(v.get("url")),
        40,
        wrap=True,
        kind="link",
    ),
    Column("Licence", lambda v: _str(v.get("licence")), 40, wrap=True),
    Column("Attribution", lambda v: _str(v.get("attribution")), 60, wrap=True),
)

# Item data the rules read besides the party lists. Licence terms: shared data SOURCES.md
# (sections 8 and 9) and screening/core/data/README.md.
HS_NOMENCLATURE: Mapping[str, Any] = {
    "source": "hs",
    "title": "Harmonized System nomenclature, 2022 edition (the HS wording of CHPL item "
    "descriptions)",
    "as_of": "2022-01-01",
    "url": "https://www.wcoomd.org/en/topics/nomenclature/instrument-and-tools/"
    "hs-nomenclature-2022-edition.aspx",
    "licence": "HS texts of the World Customs Organization (WCO), distributed by UN Comtrade as "
    "classification reference data; the copy used (datasets/harmonized-system) "
    "declares ODC-PDDL.",
    "attribution": "Harmonized System (HS) 2022 nomenclature: World Customs Organization, "
    "via UN Comtrade.",
}


def chpl_source() -> dict[str, Any]:
    """The Common High Priority List as the Lists sheet shows it, from the packaged table."""
    items = load_chpl()
    data = resources.files("screening.core.data").joinpath("chpl.csv").read_bytes()
    return {
        "source": "chpl",
        "title": "Common High Priority List (CHPL)",
        "as_of": items[0].published if items else None,
        "loaded_at": None,
        "version": None,
        "entries": len(items),
        "sha256": hashlib.sha256(data).hexdigest(),
        "url": items[0].source_url if items else None,
        "licence": "Public domain (U.S. Government work, 17 U.S.C. 105); codes and tiers only.",
        "attribution": (
            f"Source: {CHPL_SOURCE}, Common High Priority List. Tiers 3 and 4 of the packaged "
            "table were not cross-checked against the official text."
        ),
    }


def is_item_flag(flag: Doc) -> bool:
    return str(flag.get("code", "")).startswith("ITEM_") or str(flag.get("rule", "")).startswith(
        "item."
    )


def list_rows(doc: Doc, item_lists: Iterable[str]) -> list[Doc]:
    """The Lists sheet: each list version used, then the CHPL and the HS nomenclature when
    ``item_lists`` (the ``details.list`` of the report's item flags) name the CHPL."""
    rows: list[Doc] = list(_run(doc).get("list_versions") or ())
    if "chpl" in set(item_lists):
        rows += [chpl_source(), HS_NOMENCLATURE]
    return rows


SUMMARY_LIST_TITLES = ("Source", "Title", "As of", "Loaded at", "Entries", "SHA-256", "Version id")
SUMMARY_LIST_COLUMNS: tuple[Column[Doc], ...] = tuple(
    next(c for c in LIST_COLUMNS if c.title == title) for title in SUMMARY_LIST_TITLES
)

# -- Shipments ----------------------------------------------------------------------------------

SHIPMENT_COLUMNS: tuple[Column[ShipmentRecord], ...] = (
    Column("Sheet", lambda r: _str(r.shipment.get("sheet")), 14),
    Column("Row", lambda r: r.shipment.get("row"), 7, kind="integer"),
    Column("Verdict", lambda r: _str(r.shipment.get("verdict")), 10, kind="verdict"),
    Column("Number of flags", lambda r: len(r.shipment.get("flags") or ()), 9, kind="integer"),
    Column(
        "Top reasons", lambda r: _lines(top_reasons(r.shipment.get("flags") or ())), 70, wrap=True
    ),
    Column(
        "HS description",
        lambda r: _str((r.shipment.get("shipment") or {}).get("hs_description")),
        40,
        wrap=True,
    ),
)
SHIPMENT_FROZEN_COLUMNS = 3  # Sheet, Row and Verdict stay in view while scrolling right


def original_columns(
    headers: Iterable[OriginalKey], widths: Mapping[OriginalKey, int] | None = None
) -> tuple[Column[ShipmentRecord], ...]:
    """One text column per original input column, titled with its header."""
    widths = widths or {}
    columns = []
    for key in headers:
        header, n = key
        title = (header or "(no header)") + (f" ({n + 1})" if n else "")
        width = min(max(len(title), widths.get(key, 0)) + 2, 50)
        columns.append(Column(title, _original_value(key), max(width, 8)))
    return tuple(columns)


def _original_value(key: OriginalKey) -> Callable[[ShipmentRecord], CellValue]:
    return lambda r: r.original.get(key)


# -- Flags --------------------------------------------------------------------------------------

FLAG_COLUMNS: tuple[Column[FlagRecord], ...] = (
    Column("Sheet", lambda r: _str(r.shipment.get("sheet")), 14),
    Column("Row", lambda r: r.shipment.get("row"), 7, kind="integer"),
    Column("Shipment id", lambda r: _str(r.shipment.get("shipment_id")), 14),
    Column("Severity", lambda r: _str(r.flag.get("severity")), 10, kind="verdict"),
    Column("Reason code", lambda r: _str(r.flag.get("code")), 32),
    Column("Finding", lambda r: _str(r.flag.get("message")), 60, wrap=True),
    Column("Role", lambda r: _role(r.flag), 14),
    Column("Party as given", lambda r: _str(r.flag.get("party_name")), 28, wrap=True),
    Column("Matched listed name", lambda r: _str(r.flag.get("matched_name")), 28, wrap=True),
    Column("Entity id", lambda r: _str(r.flag.get("entity_id")), 22),
    Column("List", lambda r: _list_name(r.flag), 14),
    Column("Programs", lambda r: _lines(r.flag.get("programs") or ()), 18, wrap=True),
    Column("Score", lambda r: r.flag.get("score"), 8, kind="decimal"),
    Column("Explanation", lambda r: _str(r.flag.get("explanation")), 50, wrap=True),
    Column("Claims", lambda r: claims_link(r.flag), 44, wrap=True, kind="link"),
    Column("Legal basis", lambda r: legal_link(r.flag), 40, wrap=True, kind="link"),
    Column("Legal basis URL", lambda r: first_legal_url(r.flag), 40),
    Column("Rule", lambda r: _str(r.flag.get("rule")), 24),
    Column("Review note", lambda r: review_note(r.flag), 40, wrap=True),
)
FLAG_FROZEN_COLUMNS = 3  # Sheet, Row, Shipment id

# -- Claims, Rules, Input errors -----------------------------------------------------------------

CLAIM_COLUMNS: tuple[Column[Doc], ...] = (
    Column("Claim id", lambda c: _str(c.get("id")), 44),
    Column("Claimant", lambda c: _str(c.get("claimant")), 24, wrap=True),
    Column("Role", lambda c: _str(c.get("role")), 24, wrap=True),
    Column("Organisation", lambda c: _str(c.get("organisation")), 24, wrap=True),
    Column("Date", lambda c: _str(c.get("date")), 11),
    Column("Publication", lambda c: _str(c.get("publication")), 36, wrap=True),
    Column("Quote", lambda c: _str(c.get("quote")), 60, wrap=True),
    Column("Summary", lambda c: _str(c.get("summary")), 44, wrap=True),
    Column(
        "URL",
        lambda c: Link(c["url"], url=c["url"]) if is_web_url(c.get("url")) else _str(c.get("url")),
        40,
        wrap=True,
        kind="link",
    ),
    Column("Verification", lambda c: _str(c.get("verification")), 60, wrap=True),
)

RULE_COLUMNS: tuple[Column[RuleRecord], ...] = (
    Column("Rule id", lambda r: _str(r.rule.get("id")), 34),
    Column("Title", lambda r: _str(r.rule.get("title")), 44, wrap=True),
    Column(
        "Claims",
        lambda r: (
            Link("\n".join(r.rule["claims"]), claim_id=r.rule["claims"][0])
            if r.rule.get("claims")
            else None
        ),
        60,
        wrap=True,
        kind="link",
    ),
    Column("Flags in this report", lambda r: r.flags, 12, kind="integer"),
)

ERROR_COLUMNS: tuple[Column[Doc], ...] = (
    Column("Sheet", lambda e: _str(e.get("sheet")), 14),
    Column("Row", lambda e: e.get("row"), 7, kind="integer"),
    Column("Field", lambda e: _str(e.get("field")), 22),
    Column("Message", lambda e: _str(e.get("message")), 90, wrap=True),
)
