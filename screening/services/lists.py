"""List use-cases: load a file, folder or mirror; download updates; status; diff.

Each source loads on its own: one failing source is recorded and reported,
and never blocks the others. A load parses and checks outside the database,
then writes and activates the new version in one transaction, so the previous
version stays active unless the new one is complete and checked.
"""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lists import items, versions
from lists.base import ParsedList
from lists.fetch import download
from lists.sources import SOURCE_NAMES, get_source
from screening.errors import InvalidInput, ListQualityError, NotFound, ScreeningError
from screening.settings import Settings
from screening.storage import list_store
from screening.storage.audit import now
from screening.storage.db import Database
from screening.storage.tables import ListVersion

log = logging.getLogger(__name__)
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class LoadOutcome:
    source: str
    status: str  # activated | unchanged | failed
    origin: str
    message: str
    version_id: int | None = None
    as_of: str | None = None
    entries: int = 0
    skipped: int = 0
    diff: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def resolve_targets(path: Path, source: str | None = None) -> list[tuple[str, Path]]:
    """Which (source, dated folder or file) pairs a path names.

    ``path`` may be one file, a dated folder ``<source>/<date>/``, a source
    folder (its newest dated folder is used), or a mirror root.

    Raises:
        InvalidInput: the path does not exist or names no known source.
    """
    if not path.exists():
        raise InvalidInput(f"{path}: no such file or folder")
    if source is not None and source not in SOURCE_NAMES:
        raise NotFound(f"unknown list source {source!r}; known: {', '.join(SOURCE_NAMES)}")
    if path.is_file():
        name = source or _source_from_parents(path)
        if name is None:
            raise InvalidInput(f"{path}: cannot tell which list this is; pass --source")
        return [(name, path)]
    if _DATED.match(path.name):
        name = source or (path.parent.name if path.parent.name in SOURCE_NAMES else None)
        if name is None:
            raise InvalidInput(f"{path}: cannot tell which list this is; pass --source")
        return [(name, path)]
    if path.name in SOURCE_NAMES:
        newest = newest_dated(path)
        if newest is None:
            raise InvalidInput(f"{path}: no dated folder (YYYY-MM-DD) inside")
        return [(source or path.name, newest)]
    targets = []
    for name in SOURCE_NAMES:
        if source and name != source:
            continue
        newest = newest_dated(path / name) if (path / name).is_dir() else None
        if newest is not None:
            targets.append((name, newest))
    if not targets:
        raise InvalidInput(
            f"{path}: not a list file, a dated list folder or a mirror of known sources"
        )
    return targets


def newest_dated(folder: Path) -> Path | None:
    dated = sorted(p for p in folder.iterdir() if p.is_dir() and _DATED.match(p.name))
    return dated[-1] if dated else None


def _source_from_parents(path: Path) -> str | None:
    for parent in path.parents:
        if parent.name in SOURCE_NAMES:
            return parent.name
    return None


def load_path(
    db: Database,
    path: Path,
    *,
    source: str | None = None,
    force: bool = False,
    actor: str = "cli",
    max_shrink: float = 0.10,
) -> list[LoadOutcome]:
    """Load every source that ``path`` names; see :func:`resolve_targets`.

    ``source="items:NAME"`` loads ``path`` as a user item list instead.
    """
    if source is not None and source.startswith(items.PREFIX):
        return [load_item_list(db, source, path, force=force, actor=actor, max_shrink=max_shrink)]
    return [
        load_one(db, name, target, force=force, actor=actor, max_shrink=max_shrink)
        for name, target in resolve_targets(path, source)
    ]


def load_one(
    db: Database,
    source: str,
    path: Path,
    *,
    force: bool = False,
    actor: str = "cli",
    max_shrink: float = 0.10,
    origin: str | None = None,
) -> LoadOutcome:
    """Parse, check, diff and activate one source; record the attempt either way."""
    started = now()
    origin = origin or str(path)
    plugin = get_source(source)
    try:
        parsed = plugin.parse(path)
        outcome = _activate(
            db, plugin.spec, parsed, force=force, actor=actor, max_shrink=max_shrink, origin=origin
        )
    except ScreeningError as exc:
        message = exc.message if exc.message.startswith(source) else f"{source}: {exc.message}"
        outcome = LoadOutcome(source=source, status="failed", origin=origin, message=message)
    except Exception as exc:  # a parser bug must not take the other sources down
        log.exception("loading %s from %s failed", source, path)
        outcome = LoadOutcome(
            source=source,
            status="failed",
            origin=origin,
            message=f"{source}: unexpected error while loading ({type(exc).__name__}: {exc})",
        )
    _record(db, outcome, started, actor)
    return outcome


def _record(db: Database, outcome: LoadOutcome, started: datetime, actor: str) -> None:
    """Record a load attempt, successful or not (the lists page shows the last one)."""
    with db.session() as session:
        list_store.record_update(
            session,
            source=outcome.source,
            started_at=started,
            origin=outcome.origin,
            actor=actor,
            ok=outcome.ok,
            error=None if outcome.ok else outcome.message,
            version_id=outcome.version_id,
        )


def _activate(
    db: Database,
    spec: Any,
    parsed: ParsedList,
    *,
    force: bool,
    actor: str,
    max_shrink: float,
    origin: str,
) -> LoadOutcome:
    for skip in parsed.skipped[:20]:
        log.warning("%s: skipped record %s: %s", spec.name, skip.ref, skip.reason)
    new = versions.keyed(parsed.entries)
    as_of = parsed.as_of.isoformat() if parsed.as_of else None
    with db.session() as session:
        active = list_store.active_version(session, spec.name)
        if active is not None and active.sha256 == parsed.sha256:
            return LoadOutcome(
                source=spec.name,
                status="unchanged",
                origin=origin,
                version_id=active.id,
                as_of=as_of,
                entries=active.entry_count,
                message=f"{spec.name}: same files as active version {active.id}; nothing to do",
            )
        versions.check(
            parsed,
            spec,
            previous_count=active.entry_count if active else None,
            max_shrink=max_shrink,
            force=force,
        )
        old = list_store.fingerprints(session, active.id) if active else {}
        change = versions.diff(
            old, new, lambda ids: list_store.entry_datas(session, active.id, ids) if active else {}
        )
        diff = {**change.to_dict(), "previous_version": active.id if active else None}
        version = list_store.store_version(
            session,
            source=spec.name,
            as_of=parsed.as_of,
            sha256=parsed.sha256,
            files=parsed.files,
            entries=(
                (entity_id, data["kind"], data["names"][0]["value"], fp, data)
                for entity_id, (fp, data) in new.items()
            ),
            counts=parsed.counts(),
            skipped=[{"reason": s.reason, "ref": s.ref} for s in parsed.skipped],
            skipped_count=len(parsed.skipped),
            diff=diff,
            actor=actor,
            origin=origin,
        )
        return LoadOutcome(
            source=spec.name,
            status="activated",
            origin=origin,
            version_id=version.id,
            as_of=as_of,
            entries=version.entry_count,
            skipped=len(parsed.skipped),
            diff={
                "added": len(change.added),
                "removed": len(change.removed),
                "changed": len(change.changed),
            },
            message=f"{spec.name}: version {version.id} active ({version.entry_count} entries; {change.summary})",
        )


def load_item_list(
    db: Database,
    source: str,
    path: Path,
    *,
    force: bool = False,
    actor: str = "cli",
    max_shrink: float = 0.10,
) -> LoadOutcome:
    """Load a user item list (``items:NAME``) as a new version, checked like the party lists."""
    started = now()
    origin = str(path)
    try:
        name = items.list_name(source)
        source = items.PREFIX + name
        parsed = items.parse_items(path, name)
        outcome = _activate_items(
            db, source, parsed, force=force, actor=actor, max_shrink=max_shrink, origin=origin
        )
    except ScreeningError as exc:
        message = exc.message if exc.message.startswith(source) else f"{source}: {exc.message}"
        outcome = LoadOutcome(source=source, status="failed", origin=origin, message=message)
    _record(db, outcome, started, actor)
    return outcome


def _activate_items(
    db: Database,
    source: str,
    parsed: items.ParsedItems,
    *,
    force: bool,
    actor: str,
    max_shrink: float,
    origin: str,
) -> LoadOutcome:
    from lists.base import ParsedList

    if not parsed.items:
        raise ListQualityError(
            f"{source}: no usable rows"
            + (
                f" (first problem: {parsed.skipped[0].reason} at {parsed.skipped[0].ref})"
                if parsed.skipped
                else ""
            )
        )
    total = len(parsed.items) + len(parsed.skipped)
    if parsed.skipped and len(parsed.skipped) / total > versions.MAX_SKIPPED_SHARE and not force:
        first = parsed.skipped[0]
        raise ListQualityError(
            f"{source}: {len(parsed.skipped)} of {total} rows are unusable "
            f"(first: {first.reason} at {first.ref}); use --force to accept"
        )
    new = {
        f"{source}:{i['code_type']}:{i['code']}": (versions.fingerprint(i), i) for i in parsed.items
    }
    sha = ParsedList(source=source, entries=[], files=parsed.files).sha256
    with db.session() as session:
        active = list_store.active_version(session, source)
        if active is not None and active.sha256 == sha:
            return LoadOutcome(
                source=source,
                status="unchanged",
                origin=origin,
                version_id=active.id,
                entries=active.entry_count,
                message=f"{source}: same file as active version {active.id}",
            )
        if active is not None and not force and 1 - len(new) / active.entry_count > max_shrink:
            raise ListQualityError(
                f"{source}: {len(new)} items, fewer than the active "
                f"{active.entry_count} by more than {max_shrink:.0%}; "
                "use --force if this is expected"
            )
        old = list_store.fingerprints(session, active.id) if active else {}
        change = versions.diff(
            old, new, lambda ids: list_store.entry_datas(session, active.id, ids) if active else {}
        )
        version = list_store.store_version(
            session,
            source=source,
            as_of=None,
            sha256=sha,
            files=parsed.files,
            entries=(
                (eid, "item", data["description"], fp, data) for eid, (fp, data) in new.items()
            ),
            counts={"item": len(new)},
            skipped=[{"reason": s.reason, "ref": s.ref} for s in parsed.skipped],
            skipped_count=len(parsed.skipped),
            diff={**change.to_dict(), "previous_version": active.id if active else None},
            actor=actor,
            origin=origin,
        )
        return LoadOutcome(
            source=source,
            status="activated",
            origin=origin,
            version_id=version.id,
            entries=version.entry_count,
            skipped=len(parsed.skipped),
            diff={
                "added": len(change.added),
                "removed": len(change.removed),
                "changed": len(change.changed),
            },
            message=f"{source}: version {version.id} active ({version.entry_count} items; "
            f"{change.summary})",
        )


def update_sources(
    db: Database,
    settings: Settings,
    *,
    sources: list[str] | None = None,
    actor: str = "scheduler",
    force: bool = False,
) -> list[LoadOutcome]:
    """Refresh sources from the mirror folder when configured, else from the official URLs."""
    names = sources or list(SOURCE_NAMES)
    outcomes = []
    for name in names:
        if settings.list_mirror is not None:
            folder = settings.list_mirror / name
            newest = newest_dated(folder) if folder.is_dir() else None
            if newest is None:
                outcomes.append(
                    _failed(
                        db,
                        name,
                        str(folder),
                        actor,
                        f"{name}: no dated folder in the mirror at {folder}",
                    )
                )
                continue
            outcomes.append(
                load_one(
                    db, name, newest, force=force, actor=actor, max_shrink=settings.max_list_shrink
                )
            )
            continue
        spec = get_source(name).spec
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as tmp:
            folder = Path(tmp) / date.today().isoformat()
            try:
                download(
                    spec,
                    folder,
                    timeout=settings.download_timeout,
                    base_url=settings.list_base_url or None,
                )
            except ScreeningError as exc:
                message = exc.message if exc.message.startswith(name) else f"{name}: {exc.message}"
                outcomes.append(_failed(db, name, spec.files[0].url, actor, message))
                continue
            base = settings.list_base_url.rstrip("/")
            urls = [f"{base}/{name}/{f.name}" if base else f.url for f in spec.files]
            outcomes.append(
                load_one(
                    db,
                    name,
                    folder,
                    force=force,
                    actor=actor,
                    max_shrink=settings.max_list_shrink,
                    origin=", ".join(urls),
                )
            )
    return outcomes


def _failed(db: Database, source: str, origin: str, actor: str, message: str) -> LoadOutcome:
    with db.session() as session:
        list_store.record_update(
            session,
            source=source,
            started_at=now(),
            origin=origin,
            actor=actor,
            ok=False,
            error=message,
        )
    return LoadOutcome(source=source, status="failed", origin=origin, message=message)


def status(db: Database) -> list[dict[str, Any]]:
    """One row per known source: its active version (if any) and its last update attempt."""
    with db.session() as session:
        active = {v.source: v for v in list_store.active_versions(session)}
        updates = list_store.last_updates(session)
        rows = []
        for name in SOURCE_NAMES:
            spec = get_source(name).spec
            version = active.get(name)
            update = updates.get(name)
            rows.append(
                {
                    "kind": "parties",
                    "source": name,
                    "title": spec.title,
                    "active": version is not None,
                    "version": version.id if version else None,
                    "as_of": version.as_of.isoformat() if version and version.as_of else None,
                    "entries": version.entry_count if version else 0,
                    "counts": version.counts if version else {},
                    "sha256": version.sha256 if version else None,
                    "loaded_at": version.loaded_at.isoformat() if version else None,
                    "diff": _diff_counts(version) if version else None,
                    "last_update": {
                        "at": update.finished_at.isoformat() if update.finished_at else None,
                        "ok": update.ok,
                        "error": update.error,
                        "origin": update.origin,
                    }
                    if update
                    else None,
                    "licence": spec.licence,
                    "attribution": spec.attribution,
                }
            )
        for source, version in sorted(active.items()):
            if not source.startswith(items.PREFIX):
                continue
            update = updates.get(source)
            rows.append(
                {
                    "kind": "items",
                    "source": source,
                    "title": f"Item list {source[len(items.PREFIX) :]}",
                    "active": True,
                    "version": version.id,
                    "as_of": version.as_of.isoformat() if version.as_of else None,
                    "entries": version.entry_count,
                    "counts": version.counts,
                    "sha256": version.sha256,
                    "loaded_at": version.loaded_at.isoformat(),
                    "diff": _diff_counts(version),
                    "last_update": {
                        "at": update.finished_at.isoformat() if update.finished_at else None,
                        "ok": update.ok,
                        "error": update.error,
                        "origin": update.origin,
                    }
                    if update
                    else None,
                    "licence": "as provided by the organisation that loaded it",
                    "attribution": f"Item list loaded by {version.loaded_by} from {version.origin}",
                }
            )
        return rows


def _diff_counts(version: ListVersion) -> dict[str, int]:
    return {k: len(v) for k, v in version.diff.items() if isinstance(v, list)}


def diff_versions(
    db: Database, source: str, from_ref: str | None = None, to_ref: str | None = None
) -> dict[str, Any]:
    """Diff two versions of ``source`` (ids or as-of dates); default: active vs the one before.

    Raises:
        NotFound: the source has no such version(s).
    """
    if not source.startswith(items.PREFIX):
        get_source(source)  # unknown source -> NotFound
    with db.session() as session:
        history = list_store.versions_of(session, source)
        if to_ref is None:
            to_version = next((v for v in history if v.status == "active"), None)
        else:
            to_version = _find_version(history, to_ref)
        if to_version is None:
            raise NotFound(
                f"{source}: no active version"
                if to_ref is None
                else f"{source}: no version {to_ref!r}"
            )
        if from_ref is None:
            older = [v for v in history if v.id < to_version.id]
            from_version = older[0] if older else None
        else:
            from_version = _find_version(history, from_ref)
            if from_version is None:
                raise NotFound(f"{source}: no version {from_ref!r}")
        old = list_store.fingerprints(session, from_version.id) if from_version else {}
        new_fps = list_store.fingerprints(session, to_version.id)
        changed = [k for k in new_fps.keys() & old.keys() if old[k] != new_fps[k]]
        new_data = list_store.entry_datas(session, to_version.id, changed)
        new = {k: (fp, new_data.get(k, {})) for k, fp in new_fps.items()}
        change = versions.diff(
            old,
            new,
            lambda ids: (
                list_store.entry_datas(session, from_version.id, ids) if from_version else {}
            ),
        )
        return {
            "source": source,
            "from": _version_ref(from_version),
            "to": _version_ref(to_version),
            **change.to_dict(),
        }


def _find_version(history: list[ListVersion], ref: str) -> ListVersion | None:
    for version in history:
        if ref == str(version.id) or (version.as_of and ref == version.as_of.isoformat()):
            return version
    return None


def _version_ref(version: ListVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "version": version.id,
        "as_of": version.as_of.isoformat() if version.as_of else None,
        "sha256": version.sha256,
    }
