"""Re-screening a stored run against the list versions it recorded gives the same flags.

Issue requirement: "re-screening the same input against the recorded list
versions gives the same flags". The run is screened against the OFAC SDN of
2024-04-15 and the UN list; then the SDN of 2024-05-03 becomes active, which
added GRANPECT CO. LTD. (ent_num 48621, NPWMD). The recorded versions still
give the run's flags; the active ones flag Granpect.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from screening.core.rules.base import ShipmentResult
from screening.errors import InvalidInput
from screening.intake import read_json_rows
from screening.services import lists as list_service
from screening.services import runs
from screening.services.index import IndexCache, build_for_run, build_from_db
from screening.services.screening import screen_shipments
from screening.settings import Settings
from screening.storage.db import Database

GRANPECT = "us_ofac_sdn:48621"  # added in the SDN of 2024-05-03
PERETYATKO = "us_ofac_sdn:46788"  # listed in both versions

ROWS: list[dict[str, Any]] = [
    {
        "shipment_id": "R-1",
        "consignee": "Granpect Co Ltd",
        "consignee_country": "CN",
        "destination_country": "CN",
    },
    {
        "shipment_id": "R-2",
        "consignee": "Ruslan Aleksandrovich Peretyatko",
        "destination_country": "RU",
    },
    {"shipment_id": "R-3", "consignee": "Young Yong", "destination_country": "DJ"},
    {"shipment_id": "R-4", "consignee": "Acme Tools Ltd", "destination_country": "DE"},
]


def _flags(flags: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(f["code"], f["entity_id"], f["score"], f["message"]) for f in flags]


def _screened(results: list[ShipmentResult]) -> dict[str, tuple[str, list[tuple[Any, ...]]]]:
    out = {}
    for result in results:
        item = result.to_dict()
        out[item["shipment_id"]] = (item["verdict"], _flags(item["flags"]))
    return out


def test_rescreening_against_recorded_versions_gives_the_same_flags(
    db: Database, settings: Settings, lists_dir: Path
) -> None:
    list_service.load_path(db, lists_dir / "us_ofac_sdn" / "2024-04-15")
    list_service.load_path(db, lists_dir / "un_sc")
    intake = read_json_rows(ROWS, max_rows=10)
    assert not intake.errors
    outcome = runs.screen_and_store(
        db, build_from_db(db), settings, intake.rows, actor="test", channel="cli"
    )
    document = runs.run_document(db, outcome.run_id)
    stored = {s["shipment_id"]: (s["verdict"], _flags(s["flags"])) for s in document["shipments"]}
    recorded = {v["source"]: v["as_of"] for v in document["run"]["list_versions"]}
    assert recorded == {"us_ofac_sdn": "2024-04-15", "un_sc": "2026-02-27"}
    assert GRANPECT not in {f[1] for f in stored["R-1"][1]}
    assert (stored["R-2"][0], stored["R-2"][1][0][:3]) == (
        "blocked",
        ("PARTY_LISTED", PERETYATKO, 1.0),
    )

    [newer] = list_service.load_path(db, lists_dir / "us_ofac_sdn" / "2024-05-03")
    assert newer.status == "activated"
    diff = list_service.diff_versions(db, "us_ofac_sdn")
    assert GRANPECT in diff["added"]

    # Against the versions the run recorded: the same verdicts and flags, row by row.
    index = build_for_run(db, document)
    assert {(v.source, v.as_of) for v in index.versions} == set(recorded.items())
    assert index.entry(GRANPECT) is None
    assert _screened(screen_shipments(intake.rows, index, settings).results) == stored

    # Against the now-active versions the added entry is flagged, so the check above can fail.
    current = _screened(screen_shipments(intake.rows, build_from_db(db), settings).results)
    assert current != stored
    verdict, flags = current["R-1"]
    assert verdict == "blocked"
    assert ("PARTY_LISTED", GRANPECT) in {f[:2] for f in flags}


def test_a_run_without_stored_versions_cannot_be_rebuilt(db: Database) -> None:
    document: dict[str, Any] = {
        "run": {"list_versions": [{"source": "us_ofac_sdn", "version": None}]}
    }
    with pytest.raises(InvalidInput):
        build_for_run(db, document)


def test_a_run_keeps_the_list_versions_it_was_stored_with_while_lists_change(
    db: Database, settings: Settings, lists_dir: Path
) -> None:
    """A list activated while a run is being screened (chunk by chunk, maybe on
    several workers) does not reach the run's remaining chunks: every row is
    screened against, and the run records, the versions active when it was stored."""
    list_service.load_path(db, lists_dir / "us_ofac_sdn" / "2024-04-15")
    list_service.load_path(db, lists_dir / "un_sc")
    # Granpect's row falls in the second chunk, screened after the activation.
    rows = read_json_rows([ROWS[1], ROWS[3], ROWS[0], ROWS[2]], max_rows=10).rows
    cache = IndexCache(db, check_every=0.0)  # a worker's index, which follows activations
    run_id = runs.create_run(db, rows, actor="test", channel="api", chunk_size=2)
    assert runs.process_chunk(db, cache, settings, run_id, 0)
    before = cache.get()

    [newer] = list_service.load_path(db, lists_dir / "us_ofac_sdn" / "2024-05-03")
    assert newer.status == "activated"
    assert cache.get() is not before and cache.get().entry(GRANPECT) is not None

    assert runs.process_chunk(db, cache, settings, run_id, 1)
    assert runs.finalize(db, cache, settings, run_id)
    document = runs.run_document(db, run_id)
    recorded = {v["source"]: v["as_of"] for v in document["run"]["list_versions"]}
    assert recorded == {"us_ofac_sdn": "2024-04-15", "un_sc": "2026-02-27"}
    stored = {s["shipment_id"]: (s["verdict"], _flags(s["flags"])) for s in document["shipments"]}
    assert GRANPECT not in {f[1] for f in stored["R-1"][1]}
    # The whole run agrees with the versions it recorded, row by row.
    assert _screened(screen_shipments(rows, before, settings).results) == stored

    # A run stored now is pinned to the new versions, and a plain index of the old
    # ones handed to it is not used: Granpect is flagged.
    later = runs.create_run(db, rows, actor="test", channel="api", chunk_size=2)
    runs.run_pending(db, before, settings, later)
    flagged = runs.run_document(db, later)["shipments"]
    r1 = next(s for s in flagged if s["shipment_id"] == "R-1")
    assert r1["verdict"] == "blocked"
    assert GRANPECT in {f["entity_id"] for f in r1["flags"]}
