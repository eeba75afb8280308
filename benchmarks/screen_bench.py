"""Rows/second screening a 100k-row workbook (parse + screen), against parsing alone.

    .venv/bin/python benchmarks/screen_bench.py [--rows 100000] [--mirror ../shared/data/lists]

Builds a forwarder-style workbook (consignee, end user, destination, transit,
HS code, description; one row in 20 names a real listed party in another
spelling), then times: the floor (reading the workbook into canonical rows),
and the product path (reading + screening every row with all rules against
every list of the mirror). The index build is timed separately.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402

from screening.intake import read_shipments  # noqa: E402
from screening.services.index import build_from_mirror  # noqa: E402
from screening.services.screening import screen_shipments  # noqa: E402
from screening.settings import Settings  # noqa: E402

LISTED = [
    "Sberbank of Russia PJSC",
    "Korea Mining Development Trading Corp",
    "АО Альфа-Банк",
    "Chengdu Spaceon Technology Co Ltd",
    "Mohamed Hamdi Mohamed Sadek Al Ahdal",
]
WORDS = [
    "Acme",
    "Nordic",
    "Baltic",
    "Global",
    "Precision",
    "Harbour",
    "Alpine",
    "Delta",
    "Orion",
    "Vector",
    "Summit",
    "Pioneer",
    "Atlas",
    "Meridian",
    "Crescent",
    "Zenith",
]
FORMS = ["GmbH", "Ltd", "LLC", "S.A.", "AB", "Co., Ltd.", "B.V.", "S.r.l."]
PLACES = ["Germany", "France", "Hong Kong", "China", "Türkiye", "Kazakhstan", "Italy", "Poland"]
HS = ["8542.31", "8471.30", "6109.10", "8482.10", "9030.20", "8517.62", "8414.51", "3926.90"]


def workbook(rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Shipments")
    sheet.append(
        [
            "Shipment ID",
            "Consignee",
            "Consignee country",
            "End user",
            "End-user country",
            "Country of destination",
            "Transit countries",
            "HS code",
            "Description of goods",
            "Value",
            "Currency",
        ]
    )
    for n in range(rows):
        name = (
            LISTED[n // 20 % len(LISTED)]
            if n % 20 == 0
            else f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(FORMS)}"
        )
        place = rng.choice(PLACES)
        sheet.append(
            [
                f"S-{n}",
                name,
                place,
                f"{rng.choice(WORDS)} Industries",
                place,
                place,
                rng.choice(["", "", "Hong Kong", "Türkiye"]),
                rng.choice(HS),
                "electronic components",
                rng.randint(100, 90000),
                "EUR",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "data" / "lists")
    args = parser.parse_args()

    data = workbook(args.rows)
    limits = {"max_bytes": 500_000_000, "max_rows": args.rows + 1}
    started = time.perf_counter()
    intake = read_shipments(data, "bench.xlsx", **limits)
    parse_s = time.perf_counter() - started

    started = time.perf_counter()
    index = build_from_mirror(args.mirror)
    index_s = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(instance_path=Path(tmp))
        started = time.perf_counter()
        intake = read_shipments(data, "bench.xlsx", **limits)
        outcome = screen_shipments(intake.rows, index, settings)
        total_s = time.perf_counter() - started
    counts = outcome.counts()
    print(
        f"workbook: {args.rows} rows, {len(data) / 1e6:.1f} MB; index of {len(index.match)} "
        f"entries built in {index_s:.1f} s (not counted below)"
    )
    print(f"{'path':<34} {'seconds':>8} {'rows/s':>9}")
    print(f"{'floor: parse only':<34} {parse_s:>8.1f} {args.rows / parse_s:>9.0f}")
    print(f"{'parse + screen (all rules)':<34} {total_s:>8.1f} {args.rows / total_s:>9.0f}")
    print(f"ratio (parse + screen) / parse: {total_s / parse_s:.2f}x the time of parsing alone")
    print("verdicts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
