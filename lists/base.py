"""What every list source provides, and what a parse returns."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from screening.core.model import EntityKind, ListEntry
from screening.errors import ListFormatError

SPEC_DIR = Path(__file__).parent / "sources"
_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True, slots=True)
class OfficialFile:
    name: str  # the official file name, as it sits in a mirror folder
    url: str
    optional: bool = False


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """Metadata of one list source, read from ``lists/sources/<name>.toml``."""

    name: str
    title: str
    publisher: str
    format: str
    files: tuple[OfficialFile, ...]
    licence: str
    attribution: str
    min_entries: int
    max_entries: int
    max_shrink: float = 0.1  # share of entries a new version may lose without --force
    homepage: str | None = None
    kind: str = "parties"  # "parties" or "items"

    @classmethod
    def load(cls, name: str, spec_dir: Path = SPEC_DIR) -> SourceSpec:
        data = tomllib.loads((spec_dir / f"{name}.toml").read_text(encoding="utf-8"))
        checks = data.pop("checks", {})
        files = tuple(OfficialFile(**f) for f in data.pop("files", ()))
        return cls(files=files, **data, **checks)


@dataclass(frozen=True, slots=True)
class Skip:
    """A record the parser could not use: counted, logged, never silent."""

    reason: str
    ref: str  # row number, record id, or element path


@dataclass
class ParsedList:
    """The result of parsing one source's files."""

    source: str
    entries: list[ListEntry]
    as_of: date | None = None  # read from the file where it says; else the mirror folder's date
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256 hex
    skipped: list[Skip] = field(default_factory=list)
    # Source records read (rows, elements), when a parser groups several into one entry.
    records: int | None = None

    def counts(self) -> dict[str, int]:
        out = {kind.value: 0 for kind in EntityKind}
        for entry in self.entries:
            out[entry.kind.value] += 1
        return {k: v for k, v in out.items() if v}

    @property
    def sha256(self) -> str:
        """One digest over the input files, in name order."""
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(f"{name}:{self.files[name]}\n".encode())
        return digest.hexdigest()


ParseFn = Callable[[Path], ParsedList]


@dataclass(frozen=True, slots=True)
class ListSource:
    spec: SourceSpec
    parse: ParseFn

    @property
    def name(self) -> str:
        return self.spec.name


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def date_from_folder(path: Path) -> date | None:
    """The as-of date of a mirror folder ``<source>/<YYYY-MM-DD>/``, if the path is in one."""
    for part in (path if path.is_dir() else path.parent, *path.parents):
        match = _DATED.match(part.name)
        if match:
            return date.fromisoformat(match.group(1))
    return None


def find_file(path: Path, names: Iterable[str]) -> Path | None:
    """The first of ``names`` (case-insensitive) in folder ``path``, or ``path`` itself."""
    wanted = [n.lower() for n in names]
    if path.is_file():
        return path if path.name.lower() in wanted else None
    by_lower = {p.name.lower(): p for p in path.iterdir() if p.is_file()}
    for name in wanted:
        if name in by_lower:
            return by_lower[name]
    return None


def input_file(path: Path, names: Iterable[str]) -> Path:
    """The file to parse: ``path`` itself when it is a file, else the first of ``names`` in it.

    A file given directly is parsed whatever its name, so that a wrong file
    fails on its content with a clear message rather than being skipped.

    Raises:
        ListFormatError: ``path`` is a folder holding none of ``names``.
    """
    if path.is_file():
        return path
    wanted = tuple(names)
    found = find_file(path, wanted) if path.is_dir() else None
    if found is None:
        raise ListFormatError(f"{path}: none of {', '.join(wanted)} found")
    return found
