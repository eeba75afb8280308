"""Time the Excel risk report on a synthetic 100,000-row screening result.

    .venv/bin/python benchmarks/report_bench.py [--rows 100000] [--engines] [--tracemalloc]

The document has the shape of ``ScreeningOutcome.document()``: 12 original
columns per row, 10% of rows flagged with one to three flags (listed party,
CHPL item, sanctioned destination), each citing real claims of the registry.
Each measurement runs in a fresh process: the time of the write alone, and
the peak resident memory it adds over the built document (``ru_maxrss``).

- ``report``: :func:`reports.excel.write_report`, the product.
- ``pandas``: the floor, ``DataFrame.to_excel`` (engine openpyxl) of the same
  Shipments and Flags rows, without formatting, links or the other sheets.
- ``--engines`` adds the engines considered, writing the same cells with a
  verdict fill and one link per flag row: openpyxl (normal, write-only) and
  XlsxWriter (normal, constant_memory).
- ``--tracemalloc`` adds the peak of Python allocations during the write
  (traced, so slower; its time is not reported).

Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reports import columns as layout  # noqa: E402
from reports.excel import write_report  # noqa: E402
from screening.core.claims import load_claims  # noqa: E402

HEADERS = (
    "Shipment ID",
    "Date",
    "Exporter",
    "Consignee",
    "Consignee Country",
    "End User",
    "Destination",
    "HS Code",
    "Goods Description",
    "Quantity",
    "Value",
    "Currency",
)
GOODS = (
    ("8542.31.00", "Microprocessors, 64-bit"),
    ("8471.30", "Laptop computers"),
    ("8532.24", "Ceramic capacitors, multilayer"),
    ("9403.60", "Wooden office furniture"),
    ("8708.99", "Automotive parts"),
    ("8526.91", "GNSS receiver modules"),
)
COUNTRIES = ("DE", "HK", "AE", "TR", "KZ", "CN", "US", "GB", "RU", "AM")
PARTY_CLAIMS = (
    "ft-2024-09-10-sullivan-backchannel-europe-sanctions",
    "treasury-state-2024-06-12-hong-kong-networks",
    "bis-2024-07-10-trade-integrity-project",
)
ITEM_CLAIMS = (
    "bis-2024-02-23-common-high-priority-list",
    "e5-2023-09-26-high-priority-hs-codes",
    "ft-2024-09-10-campbell-component-pieces",
)
ROUTE_CLAIMS = ("ft-2024-09-10-campbell-not-dual-use", "blinken-2024-09-10-perpetuating-the-war")


def _claim_cites(ids: tuple[str, ...]) -> list[dict[str, Any]]:
    claims = {c.id: c for c in load_claims()}
    return [
        {
            "kind": "claim",
            "title": f"{claims[i].claimant}, {claims[i].publication}",
            "url": claims[i].url,
            "date": claims[i].date,
            "claim_id": i,
        }
        for i in ids
    ]


def _flag(kind: str, n: int, party: str) -> dict[str, Any]:
    base: dict[str, Any] = {
        "role": None,
        "party_name": None,
        "entity_id": None,
        "matched_name": None,
        "list_source": None,
        "programs": [],
        "score": None,
        "explanation": None,
        "details": {},
    }
    if kind == "party":
        return {
            **base,
            "code": "PARTY_LISTED",
            "rule": "party.listed",
            "severity": "blocked",
            "role": "consignee",
            "party_name": party,
            "entity_id": f"us_ofac_sdn:{n}",
            "matched_name": party.upper(),
            "list_source": "us_ofac_sdn",
            "programs": ["RUSSIA-EO14024"],
            "score": 0.93,
            "explanation": "name tokens 3/3 equal after transliteration; country agrees",
            "message": f"Consignee '{party}' matches OFAC SDN entry us_ofac_sdn:{n}, score 0.93.",
            "citations": [
                {
                    "kind": "legal_basis",
                    "title": "Executive Order 14024",
                    "url": "https://ofac.treasury.gov/sanctions-programs-and-"
                    "country-information/russian-harmful-foreign-activities-"
                    "sanctions",
                    "date": "2021-04-15",
                    "legal_basis": "Executive Order 14024",
                },
                *_claim_cites(PARTY_CLAIMS),
            ],
        }
    if kind == "item":
        return {
            **base,
            "code": "ITEM_HIGH_PRIORITY",
            "rule": "item.high_priority",
            "severity": "medium",
            "message": "HS code 8542.31 is on the CHPL Tier 1 "
            "(8542.31: Electronic integrated circuits; processors and controllers).",
            "details": {"list": "chpl", "code": "8542.31", "tier": "1"},
            "citations": [
                {
                    "kind": "list",
                    "title": "BIS (US Commerce) with the EU, Japan and the UK: chpl",
                    "url": "https://www.bis.gov/licensing/country"
                    "-guidance/common-high-priority-items-list-chpl",
                    "date": "2024-02-23",
                },
                *_claim_cites(ITEM_CLAIMS),
            ],
        }
    return {
        **base,
        "code": "ROUTE_SANCTIONED_DESTINATION",
        "rule": "route.sanctioned_destination",
        "severity": "blocked",
        "message": "The destination is in Russian Federation, which is "
        "under comprehensive sanctions or embargo with high-priority goods.",
        "citations": [
            {
                "kind": "regulation",
                "title": "Council Regulation 833/2014",
                "url": "https://eur-lex.europa.eu/eli/reg/2014/833/oj",
                "date": None,
            },
            *_claim_cites(ROUTE_CLAIMS),
        ],
    }


def build_document(rows: int, seed: int = 1) -> dict[str, Any]:
    """A screening result document of ``rows`` shipments, 10% of them flagged."""
    rng = random.Random(seed)
    shipments: list[dict[str, Any]] = []
    counts = dict.fromkeys(layout.VERDICTS, 0)
    for i in range(rows):
        hs, goods = rng.choice(GOODS)
        consignee = f"{rng.choice(('Apex', 'Orion', 'Delta', 'Sino', 'Nord'))} Trading {i} Ltd"
        values = (
            f"SH-{i:07d}",
            f"2024-05-{1 + i % 28:02d}",
            "Acme Components GmbH",
            consignee,
            rng.choice(COUNTRIES),
            f"End user {i % 997}",
            rng.choice(COUNTRIES),
            hs,
            goods,
            str(rng.randint(1, 500)),
            f"{rng.uniform(100, 90000):.2f}",
            "EUR",
        )
        flags = []
        if rng.random() < 0.10:
            kinds = rng.sample(("party", "item", "route"), rng.randint(1, 3))
            flags = [_flag(k, i, consignee) for k in kinds]
        verdict = max(
            (f["severity"] for f in flags), key=layout.VERDICTS[::-1].index, default="clear"
        )
        counts[verdict] += 1
        shipments.append(
            {
                "row": i + 2,
                "sheet": "Shipments",
                "shipment_id": values[0],
                "verdict": verdict,
                "flags": flags,
                "shipment": {
                    "row": i + 2,
                    "sheet": "Shipments",
                    "shipment_id": values[0],
                    "original": [list(p) for p in zip(HEADERS, values, strict=True)],
                },
            }
        )
    cited = {
        c["claim_id"]
        for s in shipments
        for f in s["flags"]
        for c in f["citations"]
        if c.get("claim_id")
    }
    claims = [
        {
            "id": c.id,
            "claimant": c.claimant,
            "role": c.role,
            "organisation": c.organisation,
            "date": c.date,
            "publication": c.publication,
            "url": c.url,
            "quote": c.quote,
            "summary": c.summary,
            "tags": list(c.tags),
            "verification": c.verification,
        }
        for c in load_claims()
        if c.id in cited
    ]
    run = {
        "id": "bench",
        "created_at": "2024-05-31T12:00:00+00:00",
        "created_by": "bench",
        "channel": "cli",
        "input": {"name": "bench.xlsx", "sha256": "0" * 64, "rows": rows, "errors": 0},
        "list_versions": [
            {
                "source": "us_ofac_sdn",
                "version": 1,
                "as_of": "2024-05-03",
                "sha256": "1" * 64,
                "loaded_at": "2024-05-04T00:00:00+00:00",
                "entries": 17000,
                "title": "OFAC SDN List",
                "url": "https://ofac.treasury.gov/",
                "licence": "Public domain",
                "attribution": "Source: U.S. Department of the Treasury, OFAC.",
            }
        ],
        "algorithm": "screening-match-1",
        "ruleset": "rules-1",
        "rules": [],
        "thresholds": {"alert": 0.8, "review": 0.6},
        "counts": counts,
    }
    return {"run": run, "shipments": shipments, "errors": [], "claims": claims}


# -- what is measured -------------------------------------------------------------------------


def _plain_tables(
    doc: dict[str, Any],
) -> tuple[list[str], list[list[Any]], list[str], list[list[Any]]]:
    """The Shipments and Flags rows as plain values (a link becomes its text)."""

    def plain(value: Any) -> Any:
        return value.text if isinstance(value, layout.Link) else value

    headers = list(dict.fromkeys(k for s in doc["shipments"] for k in layout.original_cells(s)))
    ship_cols = layout.SHIPMENT_COLUMNS + layout.original_columns(headers)
    ships = [
        [plain(c.value(layout.ShipmentRecord(s, layout.original_cells(s)))) for c in ship_cols]
        for s in doc["shipments"]
    ]
    flags = [
        [plain(c.value(layout.FlagRecord(s, f))) for c in layout.FLAG_COLUMNS]
        for s in doc["shipments"]
        for f in s["flags"]
    ]
    return ([c.title for c in ship_cols], ships, [c.title for c in layout.FLAG_COLUMNS], flags)


def run_report(doc: dict[str, Any], out: Path) -> None:
    write_report(doc, out)


def run_pandas(doc: dict[str, Any], out: Path) -> None:
    import pandas as pd

    ship_titles, ships, flag_titles, flags = _plain_tables(doc)
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        pd.DataFrame(ships, columns=ship_titles).to_excel(
            writer, sheet_name="Shipments", index=False
        )
        pd.DataFrame(flags, columns=flag_titles).to_excel(writer, sheet_name="Flags", index=False)


def _engine(name: str) -> Callable[[dict[str, Any], Path], None]:
    def run(doc: dict[str, Any], out: Path) -> None:
        ship_titles, ships, flag_titles, flags = _plain_tables(doc)
        tables = (("Shipments", ship_titles, ships, 2), ("Flags", flag_titles, flags, 3))
        if name.startswith("xlsxwriter"):
            _xlsxwriter(tables, out, constant_memory=name.endswith("constant_memory"))
        else:
            _openpyxl(tables, out, write_only=name.endswith("write_only"))

    return run


def _xlsxwriter(tables: Any, out: Path, *, constant_memory: bool) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(out), {"constant_memory": constant_memory})
    fill = book.add_format({"bg_color": "#E06666"})
    for name, titles, rows, verdict_col in tables:
        ws = book.add_worksheet(name)
        for c, title in enumerate(titles):
            ws.write_string(0, c, title)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value, fill if c == verdict_col else None)
                else:
                    ws.write_number(r, c, value)
            if name == "Flags":
                ws.write_url(r, len(values), "internal:Flags!A1", string="link")
    book.close()


def _openpyxl(tables: Any, out: Path, *, write_only: bool) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import PatternFill

    book = Workbook(write_only=write_only)
    fill = PatternFill("solid", fgColor="E06666")
    for name, titles, rows, verdict_col in tables:
        ws = book.create_sheet(name)
        ws.append(titles)
        for r, values in enumerate(rows, start=2):
            if write_only:
                cells: list[Any] = list(values)
                verdict = WriteOnlyCell(ws, value=values[verdict_col])
                verdict.fill = fill
                cells[verdict_col] = verdict
                if name == "Flags":
                    link = WriteOnlyCell(ws, value="link")
                    link.hyperlink = "#Flags!A1"
                    cells.append(link)
                ws.append(cells)
            else:
                ws.append(values)
                ws.cell(r, verdict_col + 1).fill = fill
                if name == "Flags":
                    ws.cell(r, len(values) + 1, "link").hyperlink = "#Flags!A1"
    book.save(out)


MEASURES: dict[str, Callable[[dict[str, Any], Path], None]] = {
    "report": run_report,
    "pandas": run_pandas,
    **{
        e: _engine(e)
        for e in ("openpyxl", "openpyxl-write_only", "xlsxwriter", "xlsxwriter-constant_memory")
    },
}


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(name: str, rows: int, traced: bool) -> dict[str, Any]:
    """Build the document, then time one writer on it (in this process)."""
    doc = build_document(rows)
    before = _maxrss_mib()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{name}.xlsx"
        if traced:
            tracemalloc.start()
            MEASURES[name](doc, out)
            traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            return {"traced_peak_mib": traced_peak}
        started = time.perf_counter()
        MEASURES[name](doc, out)
        seconds = time.perf_counter() - started
        size = out.stat().st_size
    return {
        "seconds": seconds,
        "bytes": size,
        "rss_before_mib": before,
        "rss_added_mib": _maxrss_mib() - before,
        "flags": layout.flag_count(doc),
    }


def _child(name: str, rows: int, traced: bool) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--rows", str(rows), "--measure", name]
    if traced:
        cmd.append("--tracemalloc")
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--engines", action="store_true", help="also time the engines considered")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.rows, args.tracemalloc)))
        return

    names = ["report", "pandas"]
    if args.engines:
        names += ["openpyxl", "openpyxl-write_only", "xlsxwriter", "xlsxwriter-constant_memory"]
    results = {name: _child(name, args.rows, traced=False) for name in names}
    flags = results["report"]["flags"]
    print(
        f"{args.rows:,} shipments, {flags:,} flags; document built in "
        f"{results['report']['rss_before_mib']:.0f} MiB of resident memory"
    )
    print(
        f"{'writer':<28} {'seconds':>8} {'MiB':>8} {'added RSS MiB':>14}"
        + (f" {'traced peak MiB':>16}" if args.tracemalloc else "")
    )
    for name, r in results.items():
        line = (
            f"{name:<28} {r['seconds']:>8.2f} {r['bytes'] / 2**20:>8.1f} "
            f"{r['rss_added_mib']:>14.0f}"
        )
        if args.tracemalloc:
            line += f" {_child(name, args.rows, traced=True)['traced_peak_mib']:>16.0f}"
        print(line)
    ratio = results["report"]["seconds"] / results["pandas"]["seconds"]
    print(f"report / pandas floor: {ratio:.2f}x")


if __name__ == "__main__":
    main()
