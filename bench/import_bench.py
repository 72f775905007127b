"""Invoice import benchmark: rows per second and peak memory, per file size, on SQLite and PostgreSQL.

Each (size, database) pair runs in a fresh child process so its peak RSS (ru_maxrss) is its own:
flat peaks across sizes show that the import streams. CPU is the importing process's (both threads, and
SQLite's own work) plus, on PostgreSQL, the CPU of the database's backends during the import (from /proc:
the server runs on this machine). Usage:

    .venv/bin/python bench/import_bench.py --sizes 100000,300000,1000000 [--no-postgres] [--reimport]
        [--batch-size N]   (default: the library's)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

PG_ADMIN_URL = os.environ.get(
    "ARREARS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
INVOICES_PER_ACCOUNT = 4
HEADER = [
    "customer_id", "customer_name", "customer_kind", "email", "phone", "phone_kind", "time_zone", "locale",
    "segment", "tier", "country", "account_id", "invoice_id", "invoice_number", "currency", "amount",
    "balance", "issued_on", "due_on", "sms_consent", "email_consent",
]  # fmt: skip
ZONES = [
    ("US", "America/New_York"),
    ("US", "America/Chicago"),
    ("GB", "Europe/London"),
    ("DE", "Europe/Berlin"),
]
CURRENCIES = {"US": "CAD", "GB": "GBP", "DE": "EUR"}


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """A synthetic portfolio: one customer per account, four invoices per account; 70% overdue,
    20% not yet due, 10% paid. Synthetic names and reserved-looking numbers only."""
    rng = random.Random(seed)
    today = NOW.date()
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n in range(rows):
            account = n // INVOICES_PER_ACCOUNT
            country, zone = ZONES[account % len(ZONES)]
            roll = rng.random()
            due = today - timedelta(days=rng.randint(1, 120)) if roll < 0.8 else today + timedelta(days=20)
            amount = rng.randint(1_000, 500_000)
            balance = 0 if roll >= 0.9 else amount - rng.randint(0, amount // 2)
            out.writerow(
                [
                    f"C{account:08d}", f"Customer {account}", "business" if account % 5 == 0 else "person",
                    f"c{account}@example.test", f"+1555{account % 10_000_000:07d}", "mobile", zone, "en-US",
                    f"seg{account % 6}", "gold" if account % 10 == 0 else "standard", country,
                    f"A{account:08d}", f"INV{n:09d}", f"N-{n}", CURRENCIES[country],
                    f"{amount // 100}.{amount % 100:02d}", f"{balance // 100}.{balance % 100:02d}",
                    (due - timedelta(days=30)).isoformat(), due.isoformat(), "yes",
                    "no" if n % 7 == 0 else "yes",
                ]
            )  # fmt: skip


def child(url: str, file: Path, repeat: int, batch_size: int) -> None:
    """Runs inside the measured process: import `repeat` times, print one JSON line per run."""
    from arrears.core.clock import SimulatedClock
    from arrears.ingest import import_invoices
    from arrears.ingest.importer import DEFAULT_BATCH_SIZE
    from arrears.store.db import make_engine

    engine = make_engine(url)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for run in range(repeat):
        with _server_cpu(url) as server:
            started, cpu = time.perf_counter(), time.process_time()
            report = import_invoices(
                engine,
                file,
                resolve_strategy=lambda name: (name or "consumer-overdue", 1),
                clock=SimulatedClock(NOW),
                batch_size=batch_size or DEFAULT_BATCH_SIZE,
            )
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            json.dumps(
                {
                    "run": "first" if run == 0 else "again",
                    "rows": report.rows_imported,
                    "rejected": report.rows_rejected,
                    "seconds": round(seconds, 2),
                    "rows_per_s": round(report.rows_imported / seconds),
                    "cpu_s": round(cpu, 2),
                    "rows_per_cpu_s": round(report.rows_imported / cpu),
                    "postgres_cpu_s": round(server[0], 2),
                    "us_per_row_all_cpu": round((cpu + server[0]) / max(report.rows_imported, 1) * 1e6, 1),
                    "load": round(os.getloadavg()[0], 1),
                    "baseline_mib": round(baseline / 1024, 1),
                    "peak_mib": round(peak / 1024, 1),
                    "cases_opened": report.counts.get("cases_opened", 0),
                    "invoices_unchanged": report.counts.get("invoices_unchanged", 0),
                }
            ),
            flush=True,
        )
    engine.dispose()


@contextmanager
def _server_cpu(url: str) -> Iterator[list[float]]:
    """CPU seconds of this database's PostgreSQL backends during the block (from /proc: the server runs
    here), sampled twice a second so the import's connections are seen; [0.0] on SQLite, whose work runs
    inside the importing process and is in its own CPU time."""
    used = [0.0]
    if not url.startswith("postgresql"):
        yield used
        return
    from procs import BackendCpu

    monitor, stop = BackendCpu(url), threading.Event()
    monitor.start()

    def sample() -> None:
        while not stop.wait(0.5):
            monitor.sample()

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield used
    finally:
        stop.set()
        sampler.join()
        monitor.sample()
        used[0] = sum(monitor.by_name().values())
        monitor.close()


def _measure(url: str, file: Path, repeat: int, batch_size: int) -> list[dict[str, object]]:
    from arrears.store.db import make_engine
    from arrears.store.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine, "heads")  # every branch, should the migration history ever fork
    engine.dispose()
    done = subprocess.run(
        [sys.executable, __file__, "--child", url, str(file), str(repeat), str(batch_size)],
        check=True,
        capture_output=True,
        text=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def _postgres(file: Path, repeat: int, batch_size: int) -> list[dict[str, object]]:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"arrears_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        return _measure(url, file, repeat, batch_size)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--reimport", action="store_true", help="import each file twice (idempotent run)")
    parser.add_argument("--batch-size", type=int, default=0, help="rows per batch (default: the library's)")
    args = parser.parse_args()
    print(f"# invoice import benchmark, {date.today().isoformat()}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="arrears-bench-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            file = Path(tmp) / f"invoices-{size}.csv"
            generate(file, size)
            print(f"## {size} rows, {file.stat().st_size / 1e6:.0f} MB", flush=True)
            repeat = 2 if args.reimport else 1
            if not args.no_sqlite:
                for result in _measure(f"sqlite:///{tmp}/bench-{size}.db", file, repeat, args.batch_size):
                    print(json.dumps({"db": "sqlite", "size": size, **result}), flush=True)
            if not args.no_postgres:
                for result in _postgres(file, repeat, args.batch_size):
                    print(json.dumps({"db": "postgresql", "size": size, **result}), flush=True)
            file.unlink()


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        main()
