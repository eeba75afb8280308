"""The counterparty register, and its re-screen whenever a list version activates.

The register holds every party the business deals with: the parties of past
screenings (added when a run finishes, :func:`record_run`) and the parties of
an imported register file (:func:`import_file`). When a list version
activates, :func:`rescreen` screens the whole register against only what that
version added or changed (a small index of those entries), so the answer is
"who among our counterparties is newly listed". Reviewers' dismissals hold
unless the entry behind them changed, exactly as in shipment screening. The
parties reported are stored as a run (channel ``rescreen``), so their hits are
reviewed like any other, and summarised by :func:`latest_rescreen`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from lists.sources import get_source
from screening.core.countries import to_iso2
from screening.core.model import ListEntry
from screening.core.rules.base import ShipmentResult, party_key
from screening.core.shipments import ROLES, PartyRef, ShipmentRow
from screening.errors import InvalidInput, NotFound, PayloadTooLarge
from screening.intake.readers import (
    RawSheet,
    detect_format,
    load_json,
    read_csv,
    read_xlsx,
    sheet_from_json_rows,
)
from screening.services import runs
from screening.services.index import ListIndex, VersionInfo, version_ids
from screening.services.screening import screen_shipments
from screening.settings import Settings
from screening.storage import list_store
from screening.storage import register as store
from screening.storage import runs as run_store
from screening.storage.audit import audit, now
from screening.storage.db import Database
from screening.storage.jobs import DUPLICATE_ERRORS
from screening.storage.tables import RegisterParty, RegisterRescreen

log = logging.getLogger(__name__)

# Register file headers, folded (lower case, single spaces), and the field each names.
HEADERS: dict[str, str] = {
    **dict.fromkeys(
        (
            "name",
            "party",
            "party name",
            "counterparty",
            "company",
            "company name",
            "customer",
            "customer name",
        ),
        "name",
    ),
    **dict.fromkeys(("country", "country code", "country iso", "iso country"), "country"),
    **dict.fromkeys(("role", "party role"), "role"),
    **dict.fromkeys(
        ("id", "party id", "customer id", "customer number", "external id", "reference", "ref"),
        "id",
    ),
}
# Screened as this role when the register does not say (an imported customer list).
DEFAULT_ROLE = "consignee"


# -- gathering ----------------------------------------------------------------------------


def record_run(db: Database, run_id: str) -> int:
    """Add the parties of a finished run to the register; returns how many were new.

    Idempotent: a party already known only gets its last-seen time and run
    refreshed. Re-screen runs are skipped (their parties come from the register).
    """
    with db.session() as session:
        run = run_store.get_run(session, run_id)
        if run is None or run.status != "done" or run.channel == "rescreen":
            return 0
        parties = [
            store.PartyRow(
                party_key=key,
                country=p.get("country") or "",
                name=p["name"].strip(),
                role=p.get("role"),
            )
            for p in store.run_party_dicts(session, run_id)
            if p.get("name") and (key := party_key(p["name"]))
        ]
        added, _updated = store.upsert_parties(
            session, parties, source="screening", seen_at=run.finished_at or now(), run_id=run_id
        )
    if added:
        log.info("register: %d new parties from run %s", added, run_id)
    return added


@dataclass
class ImportResult:
    """What a register file import did; ``errors`` are (row, message) of skipped rows."""

    rows: int
    added: int
    updated: int
    errors: list[tuple[int, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "added": self.added,
            "updated": self.updated,
            "errors": [{"row": r, "message": m} for r, m in self.errors],
        }


def import_file(
    db: Database, data: bytes, filename: str, *, actor: str, max_bytes: int, max_rows: int
) -> ImportResult:
    """Import a register file (.xlsx, CSV or JSON rows: name, country[, role, id]).

    Rows without a name or with a country we cannot read are skipped and
    reported, never guessed; the rest are added or refreshed.

    Raises:
        InvalidInput: not a table, or no name column.
        PayloadTooLarge: over ``max_bytes`` or ``max_rows``.
    """
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"the file is {len(data):,} bytes, more than the {max_bytes:,} allowed",
            max_bytes=max_bytes,
        )
    sheet = _first_sheet(data, filename, max_rows)
    columns: dict[str, int] = {}
    for position, header in enumerate(sheet.headers):
        target = HEADERS.get(" ".join(header.casefold().replace("_", " ").split()))
        if target is not None and target not in columns:
            columns[target] = position
    if "name" not in columns:
        raise InvalidInput(
            f"{filename}: the register needs a 'name' column (found: "
            + ", ".join(repr(h) for h in sheet.headers)
            + ")"
        )
    parties: list[store.PartyRow] = []
    errors: list[tuple[int, str]] = [(row, message) for row, message in sheet.problems]
    for raw in sheet.rows:
        cells = {f: _text(raw.cells[i]) if i < len(raw.cells) else "" for f, i in columns.items()}
        name = " ".join(cells["name"].split())
        if not party_key(name):
            errors.append((raw.row, "no name"))
            continue
        country = ""
        if cells.get("country"):
            country = to_iso2(cells["country"]) or ""
            if not country:
                errors.append((raw.row, f"unknown country {cells['country']!r}"))
                continue
        role = "_".join(cells.get("role", "").casefold().replace("-", " ").split())[:64] or None
        parties.append(
            store.PartyRow(
                party_key=party_key(name),
                country=country,
                name=name,
                role=role,
                external_id=cells.get("id", "")[:128] or None,
            )
        )
    with db.session() as session:
        added, updated = store.upsert_parties(session, parties, source="import", seen_at=now())
        audit(
            session,
            actor,
            "register.import",
            target=filename,
            details={
                "rows": len(sheet.rows),
                "added": added,
                "updated": updated,
                "skipped": len(errors),
            },
        )
    return ImportResult(rows=len(sheet.rows), added=added, updated=updated, errors=errors)


def _first_sheet(data: bytes, filename: str, max_rows: int) -> RawSheet:
    file_format = detect_format(data, filename)
    if file_format == "json":
        return sheet_from_json_rows(load_json(data), max_rows=max_rows)
    read = (
        read_xlsx(data, max_rows=max_rows)
        if file_format == "xlsx"
        else read_csv(data, max_rows=max_rows)
    )
    if not read.sheets:
        raise InvalidInput(f"{filename}: no table found")
    return read.sheets[0]


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def party_dict(party: RegisterParty) -> dict[str, Any]:
    return {
        "id": party.id,
        "name": party.name,
        "country": party.country or None,
        "role": party.role,
        "external_id": party.external_id,
        "source": party.source,
        "first_seen": party.first_seen.isoformat(timespec="seconds"),
        "last_seen": party.last_seen.isoformat(timespec="seconds"),
        "last_run_id": party.last_run_id,
    }


def party_count(db: Database) -> int:
    """How many parties the register holds."""
    with db.session() as session:
        return store.count_parties(session)


def list_parties(db: Database) -> list[dict[str, Any]]:
    """Every register party as JSON-ready dicts, oldest first."""
    with db.session() as session:
        return [party_dict(p) for p in store.all_parties(session)]


# -- re-screening -------------------------------------------------------------------------


@dataclass(frozen=True)
class RescreenResult:
    """One re-screen: ``created`` is False when the version had been re-screened already."""

    id: int
    source: str
    version_id: int
    parties_screened: int
    parties_reported: int
    run_id: str | None
    created: bool

    @property
    def message(self) -> str:
        if not self.created:
            return f"{self.source}: version {self.version_id} was re-screened already (#{self.id})"
        return (
            f"{self.source}: register re-screened against version {self.version_id}: "
            f"{self.parties_screened} parties, {self.parties_reported} newly matching"
        )


def rescreen(
    db: Database, settings: Settings, version_id: int, *, actor: str = "scheduler"
) -> RescreenResult:
    """Screen the register against what list version ``version_id`` added or changed.

    Only the version's added and changed entries are indexed; every register
    party is screened against them, with reviewers' dismissals applied. The
    parties with a list hit are stored as a run (channel ``rescreen``) and the
    summary as a re-screen record. Runs once per version (idempotent).

    Raises:
        NotFound: no such list version.
    """
    with db.session() as session:
        existing = store.rescreen_of_version(session, version_id)
        if existing is not None:
            return _result(existing, created=False)
        version = list_store.get_version(session, version_id)
        if version is None:
            raise NotFound(f"no list version {version_id}")
        source, as_of, diff = version.source, version.as_of, dict(version.diff or {})
        added = [str(e) for e in diff.get("added") or ()]
        changed = [str(c["entity_id"]) for c in diff.get("changed") or ()]
        datas = list_store.entry_datas(session, version_id, added + changed)
        fingerprints = {
            k: v for k, v in list_store.fingerprints(session, version_id).items() if k in datas
        }
        info = _version_info(
            source,
            version_id,
            as_of.isoformat() if as_of else None,
            version.sha256,
            version.loaded_at.isoformat(),
            version.entry_count,
        )
        parties = store.all_parties(session)
    change = {**dict.fromkeys(added, "added"), **dict.fromkeys(changed, "changed")}
    reported: list[dict[str, Any]] = []
    run_id: str | None = None
    if datas and parties:
        delta = ListIndex.build(
            [ListEntry.from_dict(d) for d in datas.values()], [info], fingerprints
        )
        rows = [_party_row(p) for p in parties]
        outcome = screen_shipments(
            rows,
            delta,
            settings,
            suppressions=runs.suppressions(db, delta.fingerprints),
            actor=actor,
            channel="rescreen",
        )
        by_id = {p.id: p for p in parties}
        hits = [
            (row, result)
            for row, result in zip(rows, outcome.results, strict=True)
            if any(f.entity_id for f in result.flags)
        ]
        reported = [_reported(by_id[row.row], result, change) for row, result in hits]
        if hits:
            label = f"register re-screen: {source} {info.as_of or ''} (version {version_id})"
            run_id = runs.create_run(
                db,
                [row for row, _ in hits],
                actor=actor,
                channel="rescreen",
                input_name=label,
                list_versions=version_ids(delta),
            )
            runs.run_pending(db, delta, settings, run_id)
    try:
        with db.session() as session:
            row = store.add_rescreen(
                session,
                created_at=now(),
                created_by=actor,
                source=source,
                version_id=version_id,
                previous_version_id=diff.get("previous_version"),
                as_of=as_of,
                entries_added=len(added),
                entries_changed=len(changed),
                parties_screened=len(parties),
                parties_reported=len(reported),
                run_id=run_id,
                parties=reported,
            )
            audit(
                session,
                actor,
                "register.rescreen",
                target=f"{source}:{version_id}",
                details={
                    "parties": len(parties),
                    "reported": len(reported),
                    "run_id": run_id,
                    "entries": {"added": len(added), "changed": len(changed)},
                },
            )
            return _result(row, created=True)
    except DUPLICATE_ERRORS:  # another worker re-screened this version at the same moment
        with db.session() as session:
            found = store.rescreen_of_version(session, version_id)
            if found is None:
                raise
            return _result(found, created=False)


def _version_info(
    source: str, version_id: int, as_of: str | None, sha256: str, loaded_at: str, entries: int
) -> VersionInfo:
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


def _party_row(party: RegisterParty) -> ShipmentRow:
    """A register party as a one-party row; ``row`` is the party's register id."""
    role = party.role if party.role in ROLES else DEFAULT_ROLE
    return ShipmentRow(
        row=party.id,
        sheet=None,
        shipment_id=party.external_id or f"party-{party.id}",
        parties=(PartyRef(role=role, name=party.name, country=party.country or None),),
        original=(
            ("Register id", str(party.id)),
            ("Name", party.name),
            ("Country", party.country),
            ("Role", party.role or ""),
            ("External id", party.external_id or ""),
            ("Source", party.source),
        ),
    )


def _reported(
    party: RegisterParty, result: ShipmentResult, change: dict[str, str]
) -> dict[str, Any]:
    return {
        "party": {
            "id": party.id,
            "name": party.name,
            "country": party.country or None,
            "role": party.role,
            "external_id": party.external_id,
            "source": party.source,
        },
        "verdict": result.verdict.value,
        "hits": [
            {
                "entity_id": f.entity_id,
                "matched_name": f.matched_name,
                "list_source": f.list_source,
                "code": f.code,
                "severity": f.severity.value,
                "score": f.score,
                "programs": list(f.programs),
                "change": change.get(f.entity_id or ""),
                "reopened": bool(f.details.get("reopened")),
                "explanation": f.explanation,
            }
            for f in result.flags
            if f.entity_id
        ],
    }


def _result(row: RegisterRescreen, *, created: bool) -> RescreenResult:
    return RescreenResult(
        id=row.id,
        source=row.source,
        version_id=row.version_id,
        parties_screened=row.parties_screened,
        parties_reported=row.parties_reported,
        run_id=row.run_id,
        created=created,
    )


def rescreen_dict(row: RegisterRescreen) -> dict[str, Any]:
    return {
        "id": row.id,
        "created_at": row.created_at.isoformat(timespec="seconds"),
        "created_by": row.created_by,
        "source": row.source,
        "version": {"id": row.version_id, "as_of": row.as_of.isoformat() if row.as_of else None},
        "previous_version": row.previous_version_id,
        "entries": {"added": row.entries_added, "changed": row.entries_changed},
        "parties_screened": row.parties_screened,
        "parties_reported": row.parties_reported,
        "run_id": row.run_id,
        "report_path": row.report_path,
        "parties": list(row.parties or []),
    }


def latest_rescreen(db: Database) -> dict[str, Any] | None:
    """The newest re-screen as a JSON-ready dict ("new since the last list version"), or None."""
    with db.session() as session:
        row = store.latest_rescreen(session)
        return rescreen_dict(row) if row is not None else None


def get_rescreen(db: Database, rescreen_id: int) -> dict[str, Any]:
    """One re-screen as a JSON-ready dict.

    Raises:
        NotFound: no such re-screen.
    """
    with db.session() as session:
        row = store.get_rescreen(session, rescreen_id)
        if row is None:
            raise NotFound(f"no register re-screen {rescreen_id}")
        return rescreen_dict(row)


def set_report_path(db: Database, rescreen_id: int, path: str) -> None:
    with db.session() as session:
        store.set_report_path(session, rescreen_id, path)


def rescreen_document(db: Database, rescreen_id: int) -> dict[str, Any] | None:
    """The stored run of a re-screen's reported parties (the report's input), if any."""
    summary = get_rescreen(db, rescreen_id)
    if summary["run_id"] is None:
        return None
    document = runs.run_document(db, summary["run_id"])
    document["rescreen"] = summary
    return document


__all__ = [
    "HEADERS",
    "ImportResult",
    "RescreenResult",
    "get_rescreen",
    "import_file",
    "latest_rescreen",
    "list_parties",
    "party_count",
    "record_run",
    "rescreen",
    "rescreen_document",
    "set_report_path",
]
