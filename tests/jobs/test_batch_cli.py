"""``screening batch``: a folder of shipment files, one report each, failures isolated.

Rows name real OFAC SDN entries (from the 2024-05-03 snapshot) and clean
parties; a second file in the folder is not a shipment table at all.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from screening.cli import main
from screening.services import register
from screening.settings import Settings
from screening.storage import runs as run_store
from screening.storage.db import Database

GOOD = (
    "Shipment ID,Consignee,Consignee country,HS code,Description of goods\n"
    "S-1,LANIT INCORPORATED,Russia,8471.30,Laptops\n"
    "S-2,Textilhaus Mueller GmbH,Germany,6109.10,Cotton T-shirts\n"
    "S-3,Nordic Marine Supplies AB,Sweden,8414.51,Fans\n"
)
BAD = "foo,bar\n1,2\n"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.csv").write_text(GOOD, encoding="utf-8")
    (folder / "bad.csv").write_text(BAD, encoding="utf-8")
    (folder / "notes.txt").write_text("not a shipment file", encoding="utf-8")
    return folder


def _env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("SCREENING_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("SCREENING_DATABASE_URL", settings.database_url)
    monkeypatch.delenv("SCREENING_BROKER_URL", raising=False)


def test_batch_folder_reports_good_files_and_fails_on_bad(
    sdn_db: Database, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch, settings)
    out = tmp_path / "reports"
    result = CliRunner().invoke(main, ["batch", str(_folder(tmp_path)), "--out", str(out)])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    # Files in name order; the .txt file is not an input.
    assert lines[0].startswith("bad.csv: FAILED: the file lacks a party name column")
    assert lines[1] == (
        f"good.csv: 3 shipments, 1 blocked, 0 high, 0 medium, 0 low, 2 clear -> {out / 'good.xlsx'}"
    )
    assert len(lines) == 2
    assert "1 of 2 files failed" in result.stderr
    assert "good.csv: 3/3 rows screened" in result.stderr  # plain progress off a terminal
    assert sorted(p.name for p in out.iterdir()) == ["good.json", "good.xlsx"]
    assert (out / "good.xlsx").read_bytes()[:2] == b"PK"

    document = json.loads((out / "good.json").read_text(encoding="utf-8"))
    assert document["run"]["channel"] == "batch"
    [blocked] = [s for s in document["shipments"] if s["verdict"] == "blocked"]
    assert blocked["shipment_id"] == "S-1"
    assert "us_ofac_sdn:48413" in {f["entity_id"] for f in blocked["flags"]}
    with sdn_db.session() as session:
        run = run_store.get_run(session, document["run"]["id"])
        assert run is not None
        assert (run.status, run.row_count, run.channel) == ("done", 3, "batch")
    names = {p["name"] for p in register.list_parties(sdn_db)}
    assert names == {"LANIT INCORPORATED", "Textilhaus Mueller GmbH", "Nordic Marine Supplies AB"}


def test_batch_with_a_mirror_stores_nothing(
    lists_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "us_ofac_sdn").symlink_to(lists_dir / "us_ofac_sdn")
    monkeypatch.setenv("SCREENING_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("SCREENING_DATABASE_URL", raising=False)
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "batch",
            str(good),
            "--out",
            str(out),
            "--mirror",
            str(mirror),
            "--map",
            "Description of goods=",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("good.csv: 3 shipments, 1 blocked, 0 high")
    document = json.loads((out / "good.json").read_text(encoding="utf-8"))
    assert document["run"]["list_versions"][0]["as_of"] == "2024-05-03"
    assert document["shipments"][0]["shipment"]["goods_description"] is None  # --map applied
    assert not (tmp_path / "instance" / "screening.db").exists()


def test_batch_of_an_empty_folder_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCREENING_INSTANCE_PATH", str(tmp_path / "instance"))
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(main, ["batch", str(tmp_path / "empty")])
    assert result.exit_code == 2
    assert "no .xlsx, .csv or .json file" in result.output
