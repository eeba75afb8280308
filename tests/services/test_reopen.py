"""A dismissed hit stays suppressed while its list entry is unchanged, and re-opens with the diff.

OFAC SDN 2024-04-02 -> 2024-04-15 changed PERETYATKO, Ruslan Aleksandrovich
(ent_num 46788): the passport in Remarks went from 8708321052 to 8705080546,
name unchanged (see SOURCES.md). The vessel YOUNG YONG (39693) was renamed in
the same update, but without an alias the old name no longer hits it, so the
re-opened case uses Peretyatko.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from screening.core.shipments import PartyRef, ShipmentRow
from screening.services import lists as list_service
from screening.services import runs
from screening.services.index import build_from_db
from screening.settings import Settings
from screening.storage import runs as run_store
from screening.storage.db import Database

PERETYATKO = "us_ofac_sdn:46788"
ROW = ShipmentRow(
    row=2, sheet=None, parties=(PartyRef("consignee", "Ruslan Aleksandrovich Peretyatko"),)
)


def _screen(db: Database, settings: Settings) -> tuple[str, dict[str, Any]]:
    """Screen the row as a stored run; its id and stored shipment."""
    outcome = runs.screen_and_store(
        db, build_from_db(db), settings, [ROW], actor="test", channel="cli"
    )
    [shipment] = runs.run_document(db, outcome.run_id)["shipments"]
    return outcome.run_id, shipment


def _passports(data: Any) -> set[str]:
    return {i["value"] for i in data or [] if i.get("type") == "passport"}


def test_a_dismissed_hit_reopens_with_the_entry_changes(
    db: Database, settings: Settings, lists_dir: Path
) -> None:
    list_service.load_path(db, lists_dir / "us_ofac_sdn" / "2024-04-02")
    run_id, first = _screen(db, settings)
    assert first["verdict"] == "blocked"
    assert [f["entity_id"] for f in first["flags"]] == [PERETYATKO]
    with db.session() as session:
        [hit] = [h for h in run_store.hits_of(session, run_id) if h.entity_id == PERETYATKO]
        hit_id = hit.id
    runs.decide(db, hit_id=hit_id, decision="false_positive", reason="other person", actor="rev")

    # The entry is unchanged: the hit is suppressed and the verdict recomputed without it.
    _, second = _screen(db, settings)
    assert (second["verdict"], second["flags"]) == ("clear", [])
    # Nor is the entry's data as dismissed loaded: it is needed only once the entry changes.
    unchanged = build_from_db(db).fingerprints
    [kept] = runs.suppressions(db, unchanged).values()
    assert kept.entity_id == PERETYATKO and kept.entry_data is None
    assert runs.suppressions(db)[kept.party_key, PERETYATKO].entry_data is not None

    # 2024-04-15 changed the entry: the hit is back, re-opened, with what changed.
    list_service.load_path(db, lists_dir / "us_ofac_sdn" / "2024-04-15")
    [reopened] = runs.suppressions(db, build_from_db(db).fingerprints).values()
    assert reopened.entry_data is not None
    run_id, third = _screen(db, settings)
    assert third["verdict"] == "blocked"
    [flag] = third["flags"]
    details = flag["details"]
    assert (flag["entity_id"], details["reopened"]) == (PERETYATKO, True)
    assert details["dismissed"]["reason"] == "other person"
    changes = details["changes"]
    assert "names" not in changes  # the name did not change
    assert "identifiers" in changes
    assert "8708321052" in _passports(changes["identifiers"]["old"])
    assert "8705080546" in _passports(changes["identifiers"]["new"])
    assert "8705080546" not in _passports(changes["identifiers"]["old"])
    json.dumps(changes)  # stored with the flag as JSON
    with db.session() as session:
        statuses = {h.entity_id: h.status for h in run_store.hits_of(session, run_id)}
    assert statuses == {PERETYATKO: "reopened"}
