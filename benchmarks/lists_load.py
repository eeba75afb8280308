"""Time and peak memory to parse, and to load into the list store, every list of the mirror.

    .venv/bin/python benchmarks/lists_load.py [--mirror ../shared/data/lists] [--pg]

Per source: parse time and entries; then the whole load (parse, check, diff,
store, activate) into a fresh SQLite file (or PostgreSQL schema with --pg),
and the time to build the in-memory party index from the store. Peak resident
memory is reported for the process (ru_maxrss).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lists.sources import get_source  # noqa: E402
from screening.services import lists as list_service  # noqa: E402
from screening.services.index import build_from_db  # noqa: E402
from screening.storage.db import Database  # noqa: E402

PG_URL = os.environ.get(
    "SCREENING_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "data" / "lists")
    parser.add_argument("--pg", action="store_true")
    args = parser.parse_args()

    targets = list_service.resolve_targets(args.mirror)
    print(f"{'source':<14} {'folder':<12} {'entries':>8} {'parse s':>8}")
    total_parse = 0.0
    for name, path in targets:
        started = time.perf_counter()
        parsed = get_source(name).parse(path)
        elapsed = time.perf_counter() - started
        total_parse += elapsed
        print(f"{name:<14} {path.name:<12} {len(parsed.entries):>8} {elapsed:>8.2f}")
    print(f"{'all parsers':<27} {'':>8} {total_parse:>8.2f}   peak RSS {peak_mb():.0f} MB")

    with tempfile.TemporaryDirectory() as tmp:
        schema = None
        if args.pg:
            import sqlalchemy as sa

            schema = f"bench_{uuid.uuid4().hex[:8]}"
            with sa.create_engine(PG_URL).begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        else:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        db = Database(url)
        db.upgrade()
        started = time.perf_counter()
        outcomes = list_service.load_path(db, args.mirror, actor="bench")
        load_s = time.perf_counter() - started
        entries = sum(o.entries for o in outcomes)
        failed = [o.message for o in outcomes if not o.ok]
        started = time.perf_counter()
        index = build_from_db(db)
        index_s = time.perf_counter() - started
        print()
        print(
            f"load all lists into {'PostgreSQL' if args.pg else 'SQLite'} (parse + check + diff "
            f"+ store + activate): {load_s:.1f} s for {entries} entries"
            f"{'; FAILED: ' + '; '.join(failed) if failed else ''}"
        )
        print(f"build the party index from the store: {index_s:.1f} s ({len(index.match)} entries)")
        print(f"peak resident memory of this process: {peak_mb():.0f} MB")
        db.dispose()
        if schema is not None:
            import sqlalchemy as sa

            with sa.create_engine(PG_URL).begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
