"""List versions through the use-cases: load, diff, atomic activation, failure isolation.

These tests load real OFAC SDN snapshots from the shared mirror into SQLite and
PostgreSQL and check the differences SOURCES.md documents.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from screening.cli import main
from screening.services import lists as service
from screening.settings import Settings
from screening.storage import list_store
from screening.storage.db import Database


def _sdn(lists_dir: Path, day: str) -> Path:
    return lists_dir / "us_ofac_sdn" / day


def _active(db: Database, source: str) -> tuple[int, int] | None:
    with db.session() as session:
        version = list_store.active_version(session, source)
        return (version.id, version.entry_count) if version else None


def test_sdn_snapshots_diff_as_documented(db: Database, lists_dir: Path) -> None:
    for day in ("2024-04-02", "2024-04-15", "2024-05-03"):
        [outcome] = service.load_path(db, _sdn(lists_dir, day))
        assert outcome.status == "activated", outcome.message

    first = service.diff_versions(db, "us_ofac_sdn", "2024-04-02", "2024-04-15")
    assert (len(first["added"]), len(first["removed"]), len(first["changed"])) == (40, 2, 2)
    assert first["removed"] == ["us_ofac_sdn:39136", "us_ofac_sdn:39137"]
    changed = {c["entity_id"]: c["fields"] for c in first["changed"]}
    assert set(changed) == {"us_ofac_sdn:39693", "us_ofac_sdn:46788"}
    assert "names" in changed["us_ofac_sdn:39693"]  # YOUNG YONG renamed SAINT LIGHT
    assert "identifiers" in changed["us_ofac_sdn:46788"]  # passport number added in Remarks

    # Without --from/--to: the active version against the one before it.
    second = service.diff_versions(db, "us_ofac_sdn")
    assert (second["from"]["as_of"], second["to"]["as_of"]) == ("2024-04-15", "2024-05-03")
    assert (len(second["added"]), len(second["removed"])) == (377, 10)
    assert "us_ofac_sdn:38556" in second["removed"]  # EMPEROR AVIATION LTD
    assert _active(db, "us_ofac_sdn") == (3, 14965)


def test_reloading_same_files_is_a_no_op(db: Database, lists_dir: Path) -> None:
    [first] = service.load_path(db, _sdn(lists_dir, "2024-04-02"))
    [again] = service.load_path(db, _sdn(lists_dir, "2024-04-02"))
    assert (first.status, again.status) == ("activated", "unchanged")
    assert again.version_id == first.version_id


def test_truncated_file_leaves_previous_version_active(
    db: Database, lists_dir: Path, tmp_path: Path
) -> None:
    [good] = service.load_path(db, _sdn(lists_dir, "2024-04-02"))
    broken = tmp_path / "us_ofac_sdn" / "2024-04-15"
    broken.mkdir(parents=True)
    data = (_sdn(lists_dir, "2024-04-15") / "sdn.csv").read_bytes()
    (broken / "sdn.csv").write_bytes(data[: len(data) // 3])  # a download cut short
    [outcome] = service.load_path(db, broken)
    assert outcome.status == "failed"
    assert "us_ofac_sdn" in outcome.message
    assert _active(db, "us_ofac_sdn") == (good.version_id, 14560)
    status = {row["source"]: row for row in service.status(db)}["us_ofac_sdn"]
    assert status["last_update"]["ok"] is False and status["last_update"]["error"]


def test_shrink_beyond_limit_needs_force(db: Database, lists_dir: Path, tmp_path: Path) -> None:
    service.load_path(db, _sdn(lists_dir, "2024-05-03"))
    # The 2021 snapshot has 8,976 entries: 40% fewer than 14,965.
    [refused] = service.load_path(db, _sdn(lists_dir, "2021-07-07"))
    assert (
        refused.status == "failed" and "fewer" in refused.message and "--force" in refused.message
    )
    assert _active(db, "us_ofac_sdn") == (1, 14965)
    [forced] = service.load_path(db, _sdn(lists_dir, "2021-07-07"), force=True)
    assert forced.status == "activated" and _active(db, "us_ofac_sdn") == (forced.version_id, 8976)


def test_wrong_format_file_fails_only_its_source(
    db: Database, lists_dir: Path, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(_sdn(lists_dir, "2024-04-02"), mirror / "us_ofac_sdn" / "2024-04-02")
    bad = mirror / "us_bis_dpl" / "2024-01-01"
    bad.mkdir(parents=True)
    (bad / "dpl.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    outcomes = {o.source: o for o in service.load_path(db, mirror)}
    assert outcomes["us_ofac_sdn"].status == "activated"
    assert outcomes["us_bis_dpl"].status == "failed"
    assert _active(db, "us_bis_dpl") is None


def test_cli_load_status_and_diff_json(
    settings: Settings, lists_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCREENING_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("SCREENING_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    for day in ("2024-04-02", "2024-04-15"):
        result = runner.invoke(main, ["lists", "load", str(_sdn(lists_dir, day))])
        assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["lists", "status", "--json"])
    rows = {r["source"]: r for r in json.loads(result.output)}
    assert rows["us_ofac_sdn"]["active"] is True
    assert (rows["us_ofac_sdn"]["as_of"], rows["us_ofac_sdn"]["entries"]) == ("2024-04-15", 14598)
    assert rows["un_sc"]["active"] is False
    result = runner.invoke(main, ["lists", "diff", "us_ofac_sdn", "--json"])
    diff = json.loads(result.output)
    assert (len(diff["added"]), len(diff["removed"]), len(diff["changed"])) == (40, 2, 2)
    result = runner.invoke(main, ["lists", "load", "/nonexistent/folder"])
    assert result.exit_code == 2 and "no such file" in result.output
