"""User-loaded item lists: a company's own restricted-items table, or a government annex.

A CSV or xlsx file with a header row and the columns ``code type`` (HS, ECCN
or EU), ``code`` (an HS prefix of 2-10 digits, or a classification such as
3A001 or 3A001.a.7), ``description``, ``category``, ``tier`` or ``risk``,
``source``, ``citation url`` and ``date``. Header names are matched ignoring
case, spaces and punctuation. Each row becomes one item entry; a bad row is
skipped and counted with its row number, a file without the required columns
is refused.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lists.base import Skip, sha256_file
from lists.formats.xlsx import read_rows
from screening.core.controls import parse_control_code
from screening.errors import ListFormatError

PREFIX = "items:"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
_COLUMNS = {
    "codetype": "code_type",
    "type": "code_type",
    "scheme": "code_type",
    "code": "code",
    "codeorprefix": "code",
    "prefix": "code",
    "description": "description",
    "desc": "description",
    "category": "category",
    "tier": "risk",
    "risk": "risk",
    "tierorrisk": "risk",
    "risklevel": "risk",
    "source": "source",
    "publisher": "source",
    "citationurl": "url",
    "url": "url",
    "citation": "url",
    "link": "url",
    "date": "date",
    "published": "date",
}
REQUIRED = ("code_type", "code", "description")
RISKS = {"blocked", "prohibited", "high", "medium", "low"}


@dataclass
class ParsedItems:
    name: str
    items: list[dict[str, Any]]
    files: dict[str, str]
    skipped: list[Skip] = field(default_factory=list)


def list_name(source: str) -> str:
    """``items:NAME`` -> ``NAME``.

    Raises:
        ListFormatError: not a valid item list name.
    """
    name = source[len(PREFIX) :] if source.startswith(PREFIX) else source
    if not _NAME.match(name):
        raise ListFormatError(
            f"item list name {name!r}: use 1-48 lower-case letters, digits, '-' or '_'"
        )
    return name


def parse_items(path: Path, name: str) -> ParsedItems:
    """Read an item list file.

    Raises:
        ListFormatError: not a CSV/xlsx file, no header, or required columns missing.
    """
    if not path.is_file():
        raise ListFormatError(f"{path}: not a file")
    rows = _read_rows(path)
    if not rows:
        raise ListFormatError(f"{path.name}: the file has no rows")
    header = [_fold(h) for h in rows[0]]
    columns = {i: _COLUMNS[h] for i, h in enumerate(header) if h in _COLUMNS}
    missing = [c for c in REQUIRED if c not in columns.values()]
    if missing:
        raise ListFormatError(
            f"{path.name}: missing column(s) {', '.join(missing)}; found {', '.join(rows[0])}"
        )
    items: list[dict[str, Any]] = []
    skipped: list[Skip] = []
    seen: set[str] = set()
    for number, raw in enumerate(rows[1:], start=2):
        values = {columns[i]: (raw[i] or "").strip() for i in columns if i < len(raw)}
        if not any(values.values()):
            continue
        try:
            item = _item(values, name)
        except ValueError as exc:
            skipped.append(Skip(str(exc), f"row {number}"))
            continue
        key = f"{item['code_type']}:{item['code']}"
        if key in seen:
            skipped.append(Skip(f"duplicate code {key}", f"row {number}"))
            continue
        seen.add(key)
        items.append(item)
    return ParsedItems(
        name=name, items=items, files={path.name: sha256_file(path)}, skipped=skipped
    )


def _item(values: dict[str, str], name: str) -> dict[str, Any]:
    code_type = values.get("code_type", "").upper().replace("-", "")
    if code_type in ("HTS", "CN", "TARIC"):
        code_type = "HS"
    if code_type not in ("HS", "ECCN", "EU"):
        raise ValueError(f"code type {values.get('code_type')!r}: use HS, ECCN or EU")
    raw = values.get("code", "")
    if code_type == "HS":
        code = re.sub(r"[\s.]", "", raw)
        if not re.fullmatch(r"\d{2,10}", code):
            raise ValueError(f"HS code {raw!r}: 2 to 10 digits expected")
    else:
        code = parse_control_code(raw).code  # ValueError names the problem
    description = values.get("description", "")
    if not description:
        raise ValueError("description is empty")
    risk = values.get("risk") or None
    if risk and risk.lower() in RISKS:
        risk = risk.lower()
    url = values.get("url") or None
    if url and not url.startswith(("http://", "https://")):
        raise ValueError(f"citation URL {url!r} is not an http(s) URL")
    return {
        "list": name,
        "code_type": code_type,
        "code": code,
        "description": description,
        "category": values.get("category") or None,
        "risk": risk,
        "source": values.get("source") or name,
        "url": url,
        "date": values.get("date") or None,
    }


def _fold(text: object) -> str:
    return re.sub(r"[^a-z]", "", str(text or "").lower())


def _read_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    if data[:2] == b"PK":
        return [["" if v is None else str(v) for v in row] for row in read_rows(path)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ListFormatError(f"{path.name}: not a text file")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]
