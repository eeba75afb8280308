"""Checks and diffs between list versions (pure: no IO).

A new version goes live only after :func:`check` passes; :func:`diff` tells
what changed against the version it replaces, entry by entry, so an officer can
see why a re-screen flagged something new.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lists.base import ParsedList, SourceSpec
from screening.core.model import ListEntry
from screening.errors import ListQualityError

# A parse that has to skip more than this share of its records is not trusted.
MAX_SKIPPED_SHARE = 0.05


def canonical(entry: ListEntry) -> dict[str, Any]:
    return entry.to_dict()


def fingerprint(data: Mapping[str, Any]) -> str:
    """sha256 of the entry's canonical JSON; equal fingerprints mean an unchanged entry."""
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass
class Diff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # [{"entity_id": ..., "fields": [...]}]
    changed: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "removed": self.removed, "changed": self.changed}

    @property
    def summary(self) -> str:
        return f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed"


def diff(
    old: Mapping[str, str],
    new: Mapping[str, tuple[str, Mapping[str, Any]]],
    old_data: Callable[[list[str]], Mapping[str, Mapping[str, Any]]],
) -> Diff:
    """Compare two versions.

    ``old`` maps entity ids to fingerprints; ``new`` to ``(fingerprint, canonical dict)``;
    ``old_data`` fetches the old canonical dicts of the few entries whose fingerprints
    differ, so that a diff of two large versions reads little of the old one.
    """
    result = Diff()
    result.added = sorted(new.keys() - old.keys(), key=_natural)
    result.removed = sorted(old.keys() - new.keys(), key=_natural)
    changed = sorted((k for k in new.keys() & old.keys() if old[k] != new[k][0]), key=_natural)
    before = old_data(changed) if changed else {}
    for entity_id in changed:
        old_entry, new_entry = before.get(entity_id, {}), new[entity_id][1]
        fields = sorted(
            k for k in old_entry.keys() | new_entry.keys() if old_entry.get(k) != new_entry.get(k)
        )
        result.changed.append({"entity_id": entity_id, "fields": fields})
    return result


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per field, the old and new value: what a reviewer sees when a dismissed hit re-opens."""
    return {
        k: {"old": old.get(k), "new": new.get(k)}
        for k in sorted(old.keys() | new.keys())
        if old.get(k) != new.get(k)
    }


def keyed(entries: Iterable[ListEntry]) -> dict[str, tuple[str, dict[str, Any]]]:
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for entry in entries:
        data = canonical(entry)
        out[entry.entity_id] = (fingerprint(data), data)
    return out


def check(
    parsed: ParsedList,
    spec: SourceSpec,
    *,
    previous_count: int | None,
    max_shrink: float,
    force: bool = False,
) -> None:
    """Refuse a parsed list that should not go live.

    Raises:
        ListQualityError: too few or too many entries, a shrink beyond
            ``max_shrink`` against the active version (unless ``force``),
            too many skipped records, or entries without a name.
    """
    count = len(parsed.entries)
    name = spec.name
    if count < spec.min_entries or count > spec.max_entries:
        raise ListQualityError(
            f"{name}: {count} entries is outside the expected {spec.min_entries}-{spec.max_entries}",
            source=name,
        )
    nameless = [e.entity_id for e in parsed.entries if not any(n.value.strip() for n in e.names)]
    if nameless:
        raise ListQualityError(f"{name}: {len(nameless)} entries have no name, e.g. {nameless[0]}")
    ids = [e.entity_id for e in parsed.entries]
    if len(set(ids)) != len(ids):
        raise ListQualityError(f"{name}: duplicate entity ids in one version")
    total = count + len(parsed.skipped)
    if total and len(parsed.skipped) / total > MAX_SKIPPED_SHARE and not force:
        raise ListQualityError(
            f"{name}: {len(parsed.skipped)} of {total} records could not be parsed"
            f" (first: {parsed.skipped[0].reason} at {parsed.skipped[0].ref}); use --force to accept"
        )
    if previous_count and not force:
        shrink = 1 - count / previous_count
        if shrink > max_shrink:
            raise ListQualityError(
                f"{name}: new version has {count} entries, {shrink:.0%} fewer than the active"
                f" {previous_count} (limit {max_shrink:.0%}); use --force if this is expected",
                source=name,
            )


def _natural(entity_id: str) -> tuple[int, str]:
    """Sort ``us_ofac_sdn:9`` before ``us_ofac_sdn:10``."""
    tail = entity_id.rsplit(":", 1)[-1]
    return (int(tail), entity_id) if tail.isdigit() else (1 << 62, entity_id)
