"""Run every benchmark in turn (``make bench``); each prints its own figures.

    .venv/bin/python benchmarks/run_all.py [--quick]

``--quick`` shrinks inputs and durations for a smoke run; the published
figures in docs/benchmarks.md come from the full settings shown there.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL = [
    ["lists_load.py"],
    ["matching_eval.py", "--peer"],
    ["screen_bench.py", "--rows", "100000"],
    ["report_bench.py"],
    ["batch_bench.py"],
    ["load_test.py", "--duration", "60", "--connections", "50"],
]
QUICK = [
    ["lists_load.py"],
    ["matching_eval.py", "--limit", "200", "--repeat", "1"],
    ["screen_bench.py", "--rows", "5000"],
    ["report_bench.py", "--rows", "10000"],
    ["load_test.py", "--duration", "5", "--connections", "20"],
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    failed = []
    for command in QUICK if args.quick else FULL:
        print(f"\n=== {' '.join(command)} ===", flush=True)
        done = subprocess.run([sys.executable, str(HERE / command[0]), *command[1:]], check=False)
        if done.returncode != 0:
            failed.append(command[0])
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
