"""The counterparty register: gathered from runs, imported from files, re-screened on list changes.

The re-screen test activates the real OFAC SDN snapshot of 2024-05-03 over the
one of 2024-04-15 (377 entries added, per the list diff) through
``screening lists load`` and checks that exactly the register parties named
after newly added entries are reported, not those named after entries the two
snapshots share unchanged, nor clean parties.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lists import versions
from lists.sources import get_source
from screening.cli import main
from screening.core.shipments import PartyRef, ShipmentRow
from screening.errors import InvalidInput
from screening.services import lists as list_service
from screening.services import register, runs
from screening.services.index import build_from_db
from screening.settings import Settings
from screening.storage import list_store
from screening.storage import runs as run_store
from screening.storage.db import Database
from tests.jobs.conftest import sdn_path

# Entries the 2024-05-03 snapshot added (not in 2024-04-15), with the register's country.
ADDED = {
    "us_ofac_sdn:48329": "LB",  # TELEPORT COMPANY SAL
    "us_ofac_sdn:48413": "RU",  # LANIT INCORPORATED
    "us_ofac_sdn:47987": "RU",  # ARTMARINE LLC
    "us_ofac_sdn:47368": "CN",  # WUHAN TONGSHENG TECHNOLOGY CO., LTD.
    "us_ofac_sdn:48321": "LB",  # YOUSSEF, Adnan Mahmoud (a person)
}
# Entries both snapshots hold with the same data, whose names match no other entry
# even at review level (so no added or changed entry either).
UNCHANGED = {
    "us_ofac_sdn:9948": "",  # DISDROGAS LTDA.
    "us_ofac_sdn:18293": "",  # PROMINVESTBANK
    "us_ofac_sdn:10445": "",  # WORLD LINE SYSTEM S.A.
    "us_ofac_sdn:38043": "",  # STUDHALTER INTERNATIONAL GROUP AG
}
CLEAN = [
    ("Textilhaus Mueller GmbH", "DE"),
    ("Nordic Marine Supplies AB", "SE"),
    ("Tampere Paperi Oy", "FI"),
]


@pytest.fixture(scope="module")
def sdn_0503(lists_dir: Path) -> dict[str, dict[str, Any]]:
    """The 2024-05-03 SDN entries' canonical data, by entity id."""
    parsed = get_source("us_ofac_sdn").parse(sdn_path(lists_dir, "2024-05-03"))
    return {entity_id: data for entity_id, (_, data) in versions.keyed(parsed.entries).items()}


def register_name(data: dict[str, Any]) -> str:
    """How a register would write the party: "Adnan Mahmoud YOUSSEF" for "YOUSSEF, Adnan Mahmoud"."""
    name = str(data["names"][0]["value"])
    if data["kind"] == "person" and ", " in name:
        family, given = name.split(", ", 1)
        return f"{given} {family}"
    return name


def write_register(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Customer ID", "Name", "Country", "Role"])
        for number, (name, country, role) in enumerate(rows, start=1):
            out.writerow([f"C-{number}", name, country, role])
    return path


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SCREENING_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("SCREENING_DATABASE_URL", settings.database_url)
    monkeypatch.delenv("SCREENING_BROKER_URL", raising=False)  # re-screen in-process
    return CliRunner()


def test_rescreen_reports_exactly_the_parties_matching_new_entries(
    db: Database,
    settings: Settings,
    lists_dir: Path,
    sdn_0503: dict[str, dict[str, Any]],
    cli_env: CliRunner,
    tmp_path: Path,
) -> None:
    [first] = list_service.load_path(db, sdn_path(lists_dir, "2024-04-15"))
    assert first.status == "activated"
    new = {register_name(sdn_0503[i]): i for i in ADDED}
    shared = {register_name(sdn_0503[i]): i for i in UNCHANGED}
    rows = (
        [(name, ADDED[i], "buyer") for name, i in new.items()]
        + [(name, UNCHANGED[i], "") for name, i in shared.items()]
        + [(name, country, "consignee") for name, country in CLEAN]
    )
    path = write_register(tmp_path / "register.csv", rows)
    result = cli_env.invoke(main, ["register", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{len(rows)} new parties" in result.output

    result = cli_env.invoke(main, ["lists", "load", str(sdn_path(lists_dir, "2024-05-03"))])
    assert result.exit_code == 0, result.output
    assert "register re-screened" in result.output

    # The groups are what the stored version diff says they are.
    with db.session() as session:
        version = list_store.active_version(session, "us_ofac_sdn")
        assert version is not None
        diff = version.diff
    changed = {c["entity_id"] for c in diff["changed"]}
    assert len(diff["added"]) == 377
    assert set(ADDED) <= set(diff["added"])
    assert not set(UNCHANGED) & (set(diff["added"]) | changed)

    latest = register.latest_rescreen(db)
    assert latest is not None
    assert (latest["version"]["id"], latest["version"]["as_of"]) == (version.id, "2024-05-03")
    assert latest["entries"] == {"added": 377, "changed": len(changed)}
    assert latest["parties_screened"] == len(rows)
    reported = {p["party"]["name"]: p for p in latest["parties"]}
    assert set(reported) == set(new)
    assert latest["parties_reported"] == len(new)
    for name, entity_id in new.items():
        hits = reported[name]["hits"]
        assert entity_id in {h["entity_id"] for h in hits}
        assert all(h["change"] == "added" for h in hits if h["entity_id"] == entity_id)
        assert reported[name]["party"]["external_id"].startswith("C-")
    json.dumps(latest)  # JSON-ready for the API

    # The reported parties are a stored run for review, and the report files exist.
    document = runs.run_document(db, latest["run_id"])
    assert document["run"]["channel"] == "rescreen"
    assert {s["shipment"]["parties"][0]["name"] for s in document["shipments"]} == set(new)
    report = Path(latest["report_path"])
    assert report.suffix == ".xlsx" and report.stat().st_size > 0
    assert json.loads(report.with_suffix(".json").read_text())["rescreen"]["id"] == latest["id"]

    # Loading the same files again activates nothing, so nothing is re-screened.
    result = cli_env.invoke(main, ["lists", "load", str(sdn_path(lists_dir, "2024-05-03"))])
    assert result.exit_code == 0 and "re-screen" not in result.output
    assert register.latest_rescreen(db)["id"] == latest["id"]  # type: ignore[index]
    # A redelivered re-screen task finds the version done.
    again = register.rescreen(db, settings, version.id)
    assert (again.created, again.id) == (False, latest["id"])


def _dismiss(db: Database, settings: Settings, name: str, entity_id: str) -> None:
    """Screen ``name`` against the active lists and dismiss its hit on ``entity_id``."""
    row = ShipmentRow(row=2, sheet=None, parties=(PartyRef("consignee", name),))
    outcome = runs.screen_and_store(
        db, build_from_db(db), settings, [row], actor="test", channel="cli"
    )
    register.record_run(db, outcome.run_id)
    with db.session() as session:
        [hit] = [h for h in run_store.hits_of(session, outcome.run_id) if h.entity_id == entity_id]
        hit_id = hit.id
    runs.decide(
        db, hit_id=hit_id, decision="false_positive", reason="not our party", actor="reviewer"
    )


def test_dismissals_hold_unless_the_entry_changed(
    db: Database, settings: Settings, lists_dir: Path
) -> None:
    # 2024-04-15 changed PERETYATKO's identifiers (46788) and added BLACK SHIELD (48380)
    # and CENTURONIC (48387) over 2024-04-02.
    list_service.load_path(db, sdn_path(lists_dir, "2024-04-02"))
    _dismiss(db, settings, "Ruslan Aleksandrovich Peretyatko", "us_ofac_sdn:46788")
    [second] = list_service.load_path(db, sdn_path(lists_dir, "2024-04-15"))
    assert second.version_id is not None
    _dismiss(db, settings, "Black Shield Company for General Trading LLC", "us_ofac_sdn:48380")
    register.import_file(
        db, b"name\nCenturonic Ltd\n", "more.csv", actor="test", max_bytes=10_000, max_rows=10
    )
    assert register.party_count(db) == 3  # two gathered from the runs, one imported

    result = register.rescreen(db, settings, second.version_id, actor="test")
    assert result.created and result.parties_screened == 3
    latest = register.latest_rescreen(db)
    assert latest is not None
    reported = {p["party"]["name"]: p["hits"] for p in latest["parties"]}
    # Dismissed against the entry as it was: the entry changed, so the hit is back.
    [peretyatko] = reported["Ruslan Aleksandrovich Peretyatko"]
    assert (peretyatko["entity_id"], peretyatko["change"], peretyatko["reopened"]) == (
        "us_ofac_sdn:46788",
        "changed",
        True,
    )
    # Dismissed against the entry as it is now: stays dismissed.
    assert "Black Shield Company for General Trading LLC" not in reported
    # Never reviewed: reported.
    assert [h["entity_id"] for h in reported["Centuronic Ltd"]] == ["us_ofac_sdn:48387"]


def test_runs_feed_the_register_and_imports_refresh_it(
    db: Database, settings: Settings, lists_dir: Path
) -> None:
    list_service.load_path(db, sdn_path(lists_dir, "2024-04-15"))
    rows = [
        ShipmentRow(
            row=2,
            sheet=None,
            parties=(
                PartyRef("consignee", "Textilhaus Mueller GmbH", "DE"),
                PartyRef("end_user", "TEXTILHAUS  MUELLER GMBH", "DE"),  # same party key
                PartyRef("buyer", "Tampere Paperi Oy", "FI"),
            ),
        ),
        ShipmentRow(row=3, sheet=None, parties=(PartyRef("consignee", "Tampere Paperi Oy"),)),
    ]
    outcome = runs.screen_and_store(
        db, build_from_db(db), settings, rows, actor="test", channel="batch"
    )
    assert register.record_run(db, outcome.run_id) == 3
    assert register.record_run(db, outcome.run_id) == 0  # idempotent
    parties = {(p["name"], p["country"]): p for p in register.list_parties(db)}
    assert set(parties) == {
        ("Textilhaus Mueller GmbH", "DE"),
        ("Tampere Paperi Oy", "FI"),
        ("Tampere Paperi Oy", None),
    }
    assert all(
        p["source"] == "screening" and p["last_run_id"] == outcome.run_id for p in parties.values()
    )

    data = (
        b"Name;Country;Role;ID\nTampere Paperi Oy;Finland;supplier;V-77\n"
        b"Kaufhof Handels GmbH;Germany;;\n;DE;;\nAtlantis Trading;Atlantis;;\n"
    )
    result = register.import_file(
        db, data, "register.csv", actor="test", max_bytes=10_000, max_rows=100
    )
    assert (result.rows, result.added, result.updated) == (4, 1, 1)
    assert [m for _, m in result.errors] == ["no name", "unknown country 'Atlantis'"]
    tampere = next(
        p
        for p in register.list_parties(db)
        if (p["name"], p["country"]) == ("Tampere Paperi Oy", "FI")
    )
    assert (tampere["source"], tampere["external_id"], tampere["role"]) == (
        "import",
        "V-77",
        "supplier",
    )

    with pytest.raises(InvalidInput, match="needs a 'name' column"):
        register.import_file(
            db,
            b"company id,city\n1,Oslo\n",
            "bad.csv",
            actor="test",
            max_bytes=10_000,
            max_rows=100,
        )
