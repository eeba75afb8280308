"""Load test: wrk against gunicorn on 127.0.0.1, side by side with the framework floor.

    .venv/bin/python benchmarks/load_test.py [--duration 60] [--connections 50] [--pg]

Starts the service with every list of the shared mirror loaded, then drives,
each for ``--duration`` seconds with ``--connections`` concurrent clients:
``GET /healthz`` (the floor: what Flask + gunicorn serve doing nothing),
``POST /api/v1/parties/screen`` (one party per request, names rotating over
real listed and clean names) and ``POST /api/v1/screenings`` (a 10-row
workbook upload, screened synchronously). Prints requests/second, p50/p95/p99
latency, non-2xx responses and socket errors, and each endpoint's throughput
as a share of the floor. Traffic goes to 127.0.0.1 only; every run is bounded
by ``--duration``. Needs ``wrk`` (Debian package ``wrk``).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MIRROR = ROOT.parent / "shared" / "data" / "lists"
PG_URL = os.environ.get(
    "SCREENING_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

NAMES = [
    "Sberbank of Russia",
    "Korea Mining Development Trading Corporation",
    "Acme Tools Ltd",
    "Textilhaus Mueller GmbH",
    "ZAKHAROV, Alexander",
    "АО Альфа-Банк",
    "Chengdu Spaceon Technology",
    "Nordic Marine Supplies AB",
    "Mohamed Hamdi Mohamed Sadek Al Ahdal",
    "Golden Harbour Logistics",
]

LUA_REPORT = r"""
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.timeout
  io.write(string.format(
    "RESULT {\"requests\": %d, \"duration_us\": %d, \"non2xx\": %d, \"socket_errors\": %d, " ..
    "\"p50_ms\": %.2f, \"p95_ms\": %.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f}\n",
    summary.requests, summary.duration, summary.errors.status, errors,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def lua_parties(key: str) -> str:
    bodies = ", ".join(json.dumps(json.dumps({"parties": [{"name": name}]})) for name in NAMES)
    return (
        f"""
local bodies = {{{bodies}}}
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/api/v1/parties/screen",
    {{["Content-Type"] = "application/json", ["Authorization"] = "Bearer {key}"}},
    bodies[(n % #bodies) + 1])
end
"""
        + LUA_REPORT
    )


def lua_upload(key: str, workbook: bytes) -> str:
    boundary = "----screening" + uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="orders.xlsx"\r\nContent-Type: application/octet-stream\r\n\r\n'
    )
    tail = f"\r\n--{boundary}--\r\n"
    body = head.encode() + workbook + tail.encode()
    escaped = "".join(f"\\{b}" for b in body)
    return (
        f"""
wrk.method = "POST"
wrk.body = "{escaped}"
wrk.headers["Content-Type"] = "multipart/form-data; boundary={boundary}"
wrk.headers["Authorization"] = "Bearer {key}"
"""
        + LUA_REPORT
    )


def workbook_bytes(rows: int = 10) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["Order no.", "Ship-to party", "Dest. country", "Tariff no.", "Material description"]
    )
    for n in range(rows):
        sheet.append(
            [
                f"PO-{n}",
                NAMES[n % len(NAMES)],
                "Germany" if n % 3 else "Hong Kong",
                "8542.31" if n % 4 == 0 else "6109.10",
                "goods",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def prepare(instance: Path, database_url: str) -> tuple[dict[str, str], str]:
    env = {
        **os.environ,
        "SCREENING_INSTANCE_PATH": str(instance),
        "SCREENING_DATABASE_URL": database_url,
        "SCREENING_SYNC_ROWS": "500",
    }
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [bin_dir / "screening", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    subprocess.run(
        [bin_dir / "screening", "lists", "load", str(MIRROR)],
        env=env,
        check=True,
        capture_output=True,
    )
    key = (
        subprocess.run(
            [
                bin_dir / "screening",
                "api-keys",
                "create",
                "--name",
                "load-test",
                "--scope",
                "screen",
                "--scope",
                "read",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return env, key


def wait_ready(base: str, key: str, workers: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    # Each worker builds its list index on first use: warm them all up.
    body = json.dumps({"parties": [{"name": "warm up"}]}).encode()
    for _ in range(workers * 4):
        request = urllib.request.Request(
            base + "/api/v1/parties/screen",
            data=body,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()


def worker_rss_mb(master: int) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master), from /proc."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


def run_wrk(
    url: str, script: Path, duration: int, connections: int, threads: int
) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        timeout=duration + 120,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    result: dict[str, float] = json.loads(line[len("RESULT ") :])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--pg", action="store_true", help="use PostgreSQL instead of SQLite")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")

    scratch = Path(tempfile.mkdtemp(prefix="screening-load-"))
    schema = None
    if args.pg:
        import sqlalchemy as sa

        schema = f"load_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        database_url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    else:
        database_url = f"sqlite:///{scratch / 'screening.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = None
    try:
        print(f"preparing: lists from {MIRROR} into {database_url.split('?')[0]} ...", flush=True)
        env, key = prepare(scratch / "instance", database_url)
        env.update(
            {
                "SCREENING_BIND": f"127.0.0.1:{port}",
                "SCREENING_WORKERS": str(args.workers),
                "SCREENING_THREADS": str(args.threads),
            }
        )
        server = subprocess.Popen(
            [
                Path(sys.executable).parent / "gunicorn",
                "-c",
                "python:screening.web.gunicorn_conf",
                "--access-logfile",
                "/dev/null",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        wait_ready(base, key, args.workers)
        warm_rss = worker_rss_mb(server.pid)
        scripts = {
            "GET /healthz (floor)": LUA_REPORT,
            "POST /api/v1/parties/screen": lua_parties(key),
            "POST /api/v1/screenings (10-row xlsx)": lua_upload(key, workbook_bytes()),
        }
        urls = {
            "GET /healthz (floor)": base + "/healthz",
            "POST /api/v1/parties/screen": base + "/api/v1/parties/screen",
            "POST /api/v1/screenings (10-row xlsx)": base + "/api/v1/screenings",
        }
        results = {}
        for name, lua in scripts.items():
            script = scratch / (uuid.uuid4().hex + ".lua")
            script.write_text(lua)
            print(
                f"running {name}: {args.connections} clients for {args.duration}s ...", flush=True
            )
            results[name] = run_wrk(urls[name], script, args.duration, args.connections, 2)
        end_rss = worker_rss_mb(server.pid)
        floor = results["GET /healthz (floor)"]["rps"]
        print()
        print(
            f"gunicorn {args.workers} workers x {args.threads} threads, {args.connections} "
            f"connections, {args.duration}s each, database "
            f"{'PostgreSQL' if args.pg else 'SQLite'}, {os.cpu_count()} CPUs"
        )
        print(
            f"{'endpoint':<40} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
            f"{'non-2xx':>8} {'sock err':>8} {'vs floor':>9}"
        )
        for name, r in results.items():
            print(
                f"{name:<40} {r['rps']:>9.1f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
                f"{r['p99_ms']:>8.1f} {int(r['non2xx']):>8} {int(r['socket_errors']):>8} "
                f"{r['rps'] / floor:>8.1%}"
            )
        print(
            "resident memory per gunicorn worker, list index built: "
            + ", ".join(f"{m:.0f} MB" for m in warm_rss)
            + " after warm-up; "
            + ", ".join(f"{m:.0f} MB" for m in end_rss)
            + " after the load"
        )
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if schema is not None:
            import sqlalchemy as sa

            admin = sa.create_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
