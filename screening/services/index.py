"""The in-memory party index over the active list versions, and its hot swap.

Each process (gunicorn worker, Celery worker, CLI run) builds the index once
from the database's active versions and keeps it. :class:`IndexCache` checks,
at most every ``check_every`` seconds, whether the set of active versions
changed; if so it builds a new index and swaps it in, so a newly activated
list version is used without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session

from lists.sources import get_source
from lists.versions import canonical, fingerprint
from screening.core.addresses import AddressIndex
from screening.core.matching import ALGORITHM_VERSION, MatchIndex, MatchPolicy, PartyQuery
from screening.core.model import EntityKind, ListEntry
from screening.core.rules.base import Citation
from screening.core.rules.context import AddressHit, PartyHit
from screening.core.rules.sources import ItemListCatalog, ListedItem
from screening.errors import InvalidInput, NotFound, NotReady
from screening.storage import list_store
from screening.storage.db import Database
from screening.storage.tables import ListVersion

log = logging.getLogger(__name__)

ITEMS = "items:"  # source-name prefix of user item lists (see lists.items)


@dataclass(frozen=True)
class VersionInfo:
    """What a report records of one list version used."""

    source: str
    version_id: int | None
    as_of: str | None
    sha256: str
    loaded_at: str | None
    entries: int
    title: str
    url: str
    licence: str
    attribution: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "version": self.version_id,
            "as_of": self.as_of,
            "sha256": self.sha256,
            "loaded_at": self.loaded_at,
            "entries": self.entries,
            "title": self.title,
            "url": self.url,
            "licence": self.licence,
            "attribution": self.attribution,
        }


@dataclass
class ListIndex:
    """Everything party screening needs from the lists, built once."""

    match: MatchIndex
    addresses: AddressIndex
    versions: tuple[VersionInfo, ...]
    fingerprints: dict[str, str] = field(default_factory=dict)
    built_in: float = 0.0
    # User-loaded item lists (``items:NAME`` sources), one catalog each.
    items: tuple[ItemListCatalog, ...] = ()
    # The indexed entries by entity id (a re-opened hit shows how its entry changed).
    entries: dict[str, ListEntry] = field(default_factory=dict)

    @property
    def key(self) -> tuple[tuple[str, int | None, str], ...]:
        return tuple((v.source, v.version_id, v.sha256) for v in self.versions)

    def version_of(self, source: str) -> VersionInfo | None:
        return next((v for v in self.versions if v.source == source), None)

    def entry(self, entity_id: str) -> ListEntry | None:
        """The indexed list entry with this id, if any."""
        return self.entries.get(entity_id)

    def screener(self, policy: MatchPolicy, sources: set[str] | None = None) -> IndexScreener:
        return IndexScreener(self, policy, sources)

    @classmethod
    def build(
        cls,
        entries: Sequence[ListEntry],
        versions: Iterable[VersionInfo],
        fingerprints: dict[str, str] | None = None,
        items: tuple[ItemListCatalog, ...] = (),
    ) -> ListIndex:
        started = time.perf_counter()
        versions = tuple(versions)
        label = ", ".join(f"{v.source}@{v.as_of or v.sha256[:8]}" for v in versions)
        match = MatchIndex.build(entries, version_label=label)
        addresses = AddressIndex(entries)
        if fingerprints is None:
            fingerprints = {e.entity_id: fingerprint(canonical(e)) for e in entries}
        index = cls(
            match=match,
            addresses=addresses,
            versions=versions,
            fingerprints=fingerprints,
            built_in=time.perf_counter() - started,
            items=items,
            entries={e.entity_id: e for e in entries},
        )
        log.info(
            "party index built: %d entries from %s in %.1fs", len(entries), label, index.built_in
        )
        return index


def _info(
    source: str,
    *,
    version_id: int | None,
    as_of: str | None,
    sha256: str,
    loaded_at: str | None,
    entries: int,
    origin: str | None = None,
) -> VersionInfo:
    if source.startswith(ITEMS):
        return VersionInfo(
            source=source,
            version_id=version_id,
            as_of=as_of,
            sha256=sha256,
            loaded_at=loaded_at,
            entries=entries,
            title=f"Item list {source[len(ITEMS) :]}",
            url=origin or "",
            licence="as provided by the organisation that loaded it",
            attribution=f"Item list loaded from {origin}" if origin else "User item list",
        )
    spec = get_source(source).spec
    return VersionInfo(
        source=source,
        version_id=version_id,
        as_of=as_of,
        sha256=sha256,
        loaded_at=loaded_at,
        entries=entries,
        title=spec.title,
        url=spec.homepage or spec.files[0].url,
        licence=spec.licence,
        attribution=spec.attribution,
    )


def build_from_db(
    db: Database,
    sources: Sequence[str] | None = None,
    version_ids: Sequence[int] | None = None,
) -> ListIndex:
    """Index the active versions (of ``sources``, or all), or exactly ``version_ids``.

    ``version_ids`` names stored versions, active or superseded, so that a run
    can be screened again against the lists it recorded.

    Raises:
        NotReady: no list version is active (or none of ``version_ids`` is a party list).
        NotFound: a version in ``version_ids`` is not stored.
    """
    with db.session() as session:
        if version_ids is None:
            chosen = list_store.active_versions(session)
        else:
            chosen = _stored_versions(session, version_ids)
        active = [
            v
            for v in chosen
            if sources is None or v.source in sources or v.source.startswith(ITEMS)
        ]
        if not any(not v.source.startswith(ITEMS) for v in active):
            if version_ids is not None:
                raise NotReady("none of the given list versions is a party list")
            raise NotReady("no list version is active; load lists first (`screening lists load`)")
        infos = [
            _info(
                v.source,
                version_id=v.id,
                as_of=v.as_of.isoformat() if v.as_of else None,
                sha256=v.sha256,
                loaded_at=v.loaded_at.isoformat(),
                entries=v.entry_count,
                origin=v.origin,
            )
            for v in active
        ]
        parties = [v for v in active if not v.source.startswith(ITEMS)]
        entries = list(list_store.iter_entries(session, [v.id for v in parties]))
        fingerprints: dict[str, str] = {}
        for v in parties:
            fingerprints.update(list_store.fingerprints(session, v.id))
        catalogs = tuple(
            ItemListCatalog(
                ListedItem(
                    list_name=d["list"],
                    code_type=d["code_type"],
                    code=d["code"],
                    description=d["description"],
                    category=d.get("category"),
                    risk=d.get("risk"),
                    source=d.get("source") or d["list"],
                    url=d.get("url"),
                    date=d.get("date"),
                )
                for d in list_store.entry_datas_all(session, v.id)
            )
            for v in active
            if v.source.startswith(ITEMS)
        )
    return ListIndex.build(entries, infos, fingerprints, items=catalogs)


def _stored_versions(session: Session, version_ids: Sequence[int]) -> list[ListVersion]:
    found = []
    for version_id in sorted(set(version_ids)):
        version = list_store.get_version(session, version_id)
        if version is None:
            raise NotFound(f"no stored list version {version_id}")
        found.append(version)
    # The same order as ``active_versions``, so equal sets give equal index keys.
    return sorted(found, key=lambda v: v.source)


def build_for_run(db: Database, document: Mapping[str, Any]) -> ListIndex:
    """Index the list versions a run document (``run_document``) recorded.

    Re-screening the run's rows against this index gives the run's flags again,
    whichever versions are active now.

    Raises:
        InvalidInput: the run recorded no stored list version (it was screened
            from a mirror, without a database).
        NotFound: a recorded version is no longer stored.
    """
    recorded = document.get("run", {}).get("list_versions") or []
    ids = [int(v["version"]) for v in recorded if v.get("version") is not None]
    if not ids:
        raise InvalidInput("the run recorded no stored list version to screen against")
    return build_from_db(db, version_ids=ids)


def build_from_mirror(mirror: Path, sources: Sequence[str] | None = None) -> ListIndex:
    """Index the newest dated folder of each source in a mirror, without a database."""
    from screening.services.lists import resolve_targets

    entries: list[ListEntry] = []
    infos = []
    for name, path in resolve_targets(mirror):
        if sources and name not in sources:
            continue
        parsed = get_source(name).parse(path)
        entries.extend(parsed.entries)
        infos.append(
            _info(
                name,
                version_id=None,
                as_of=parsed.as_of.isoformat() if parsed.as_of else None,
                sha256=parsed.sha256,
                loaded_at=None,
                entries=len(parsed.entries),
            )
        )
    if not entries:
        raise NotReady(f"{mirror}: no list found in the mirror")
    return ListIndex.build(entries, infos)


def version_ids(index: ListIndex) -> list[int]:
    """The stored list versions an index was built from, sorted (none for a mirror index)."""
    return sorted({v.version_id for v in index.versions if v.version_id is not None})


class IndexSource(Protocol):
    """Gives the index of given list versions (an :class:`IndexCache` reuses what it holds)."""

    def for_versions(self, ids: Sequence[int] | None) -> ListIndex: ...


# What screening a stored run accepts: an index, or a source of indexes.
IndexLike = ListIndex | IndexSource


def resolve_index(db: Database, indexes: IndexLike, ids: Sequence[int] | None) -> ListIndex:
    """The index of the list versions ``ids`` (a run's pinned versions), from ``indexes``.

    No ``ids`` (a run stored before versions were pinned, or screened from a
    mirror): the index given, or the source's current one.

    Raises:
        NotFound: a pinned version is no longer stored.
    """
    if not isinstance(indexes, ListIndex):
        return indexes.for_versions(ids)
    if not ids or version_ids(indexes) == sorted(set(ids)):
        return indexes
    return build_from_db(db, version_ids=ids)


class IndexCache:
    """One process's index, rebuilt and swapped when the active versions change.

    Also an :class:`IndexSource`: the chunks of a run are screened against the
    list versions active when the run was stored. While a run submitted before
    an activation is still being screened, this process keeps that run's index
    beside the current one (one such index at most).
    """

    def __init__(self, db: Database, check_every: float = 10.0) -> None:
        self._db = db
        self._check_every = check_every
        self._index: ListIndex | None = None
        self._pinned: ListIndex | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def for_versions(self, ids: Sequence[int] | None) -> ListIndex:
        """The index of exactly these stored versions (the current one when ``ids`` is empty).

        Raises:
            NotReady: no list version is active (and no ``ids``).
            NotFound: a version in ``ids`` is no longer stored.
        """
        current = self.get()
        if not ids:
            return current
        wanted = sorted(set(ids))
        if version_ids(current) == wanted:
            self._pinned = None  # runs have moved on to the current versions
            return current
        with self._lock:
            if self._index is not None and version_ids(self._index) == wanted:
                return self._index
            if sorted({v for _, v, _ in self._active_key() if v is not None}) == wanted:
                # Activated since this process last looked: swap now, not in 10 s.
                self._index = build_from_db(self._db)
                self._checked = time.monotonic()
                return self._index
            if self._pinned is None or version_ids(self._pinned) != wanted:
                self._pinned = None  # release the old one before building
                self._pinned = build_from_db(self._db, version_ids=wanted)
            return self._pinned

    def get(self) -> ListIndex:
        """The current index; builds it on first use.

        Raises:
            NotReady: no list version is active.
        """
        now = time.monotonic()
        if self._index is not None and now - self._checked < self._check_every:
            return self._index
        with self._lock:
            if self._index is None or now - self._checked >= self._check_every:
                key = self._active_key()
                if self._index is None or key != self._index.key:
                    self._index = build_from_db(self._db)
                self._checked = now
        assert self._index is not None
        return self._index

    def _active_key(self) -> tuple[tuple[str, int | None, str], ...]:
        with self._db.session() as session:
            return tuple((v.source, v.id, v.sha256) for v in list_store.active_versions(session))


class IndexScreener:
    """Adapts the matching engine to the rules' :class:`PartyScreener` protocol."""

    def __init__(self, index: ListIndex, policy: MatchPolicy, sources: set[str] | None) -> None:
        self.index = index
        self.policy = policy
        self.sources = sources

    def screen(
        self, name: str, country: str | None, kind: EntityKind | None = None
    ) -> list[PartyHit]:
        hits = self.index.match.screen(
            PartyQuery(name=name, kind=kind, country=country), self.policy, self.sources
        )
        out = []
        for hit in hits:
            entry = hit.entry
            version = self.index.version_of(entry.source)
            out.append(
                PartyHit(
                    entity_id=hit.entity_id,
                    source=entry.source,
                    source_title=version.title if version else entry.source,
                    kind=entry.kind.value,
                    matched_name=hit.matched_name,
                    score=hit.score,
                    alert=hit.alert,
                    explanation=hit.explanation,
                    programs=entry.programs,
                    legal_basis=legal_citations(entry),
                    features={f.name: round(f.score * f.weight, 4) for f in hit.features},
                    list_version=(
                        f"{version.source}@{version.as_of}#{version.version_id}"
                        if version
                        else None
                    ),
                    fingerprint=self.index.fingerprints.get(entry.entity_id),
                    sub_list=next(iter(entry.prop("csl_source")), None),
                )
            )
        return out

    def by_address(self, address: str) -> list[AddressHit]:
        return [
            AddressHit(a.entity_id, a.source, a.name, a.address)
            for a in self.index.addresses.lookup(address)
            if self.sources is None or a.source in self.sources
        ]


def legal_citations(entry: ListEntry) -> tuple[Citation, ...]:
    """The entry's legal basis (programme, notice, regulation, regime, resolution) as citations."""
    cites = [
        Citation(kind="legal_basis", title=b.title, url=b.url, date=b.date or entry.listed_on)
        for b in entry.legal_basis
    ]
    if not cites:
        url = next(iter(entry.prop("source_url")), None)
        title = "; ".join(entry.programs) or entry.source
        cites.append(Citation(kind="legal_basis", title=title, url=url, date=entry.listed_on))
    return tuple(cites)


__all__ = [
    "ALGORITHM_VERSION",
    "IndexCache",
    "IndexLike",
    "IndexScreener",
    "IndexSource",
    "ListIndex",
    "VersionInfo",
    "build_for_run",
    "build_from_db",
    "build_from_mirror",
    "legal_citations",
    "resolve_index",
    "version_ids",
]
