"""Fixtures for intake tests: real party names and addresses from the OFAC SDN list.

Intake does no matching, but its tests use names exactly as a sanctions list
writes them (commas, "CO., LIMITED", "c/o ..."), read from the shared data
folder, so the files we build look like the ones compliance officers upload.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

# ent_num -> the address row (add.csv address id) used in the tests.
PICKED = {
    31412: 47466,  # AKTSIONERNOE OBSHCHESTVO PASIT, Moscow
    34036: 52984,  # RUSSIAN DIRECT INVESTMENT FUND, Moscow
    37864: 56752,  # GTLK ASIA LIMITED, Hong Kong
    41861: 62462,  # KING-PAI TECHNOLOGY HK CO., LIMITED, Hong Kong
    11619: 17432,  # IRAN PETROCHEMICAL COMMERCIAL COMPANY, Istanbul
    7270: 5539,  # GLOBAL RELIEF FOUNDATION, INC. (Istanbul address)
}


@dataclass(frozen=True)
class ListedParty:
    name: str
    street: str
    city: str
    country: str  # as the list writes it


@pytest.fixture(scope="session")
def sdn(lists_dir: Path) -> dict[int, ListedParty]:
    """The picked SDN entries with one address each, read from the 2024-05-03 files."""
    folder = lists_dir / "us_ofac_sdn" / "2024-05-03"
    names: dict[int, str] = {}
    with (folder / "sdn.csv").open(encoding="latin-1", newline="") as handle:
        for record in csv.reader(handle):
            if record and record[0].isdigit() and int(record[0]) in PICKED:
                names[int(record[0])] = record[1]
    parties: dict[int, ListedParty] = {}
    with (folder / "add.csv").open(encoding="latin-1", newline="") as handle:
        for record in csv.reader(handle):
            if len(record) < 5 or not record[0].isdigit():
                continue
            ent_num, add_num = int(record[0]), int(record[1])
            if PICKED.get(ent_num) == add_num:
                street, city, country = (v.strip() for v in record[2:5])
                parties[ent_num] = ListedParty(names[ent_num], street, city, country)
    assert set(parties) == set(PICKED), "picked SDN entries missing from the shared data"
    return parties
