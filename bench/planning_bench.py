"""Planning benchmark: due cases planned per second and peak memory, against a database-only floor.

For each database: a fresh database, migrated, bulk-loaded with `--cases` open cases of which `--due` are due
at NOW (see planning_data.py), then, in a child process so its peak RSS is its own:

1. `Planner.run_until_idle()` on a SimulatedClock at NOW with the gate `arrears.system.parts.contact_gate`
   picks (or `--gate minimal|profile`): due cases per second, and peak memory as ru_maxrss (the child's
   high-water RSS) and its growth over the child's RSS just before planning.
2. The floor, on a second, identical set of cases parked a year ahead: per batch of the same size, one
   SELECT of cases joined to their customers (FOR UPDATE SKIP LOCKED on PostgreSQL), one bulk INSERT of
   one outbox row per case (ON CONFLICT DO NOTHING) and one bulk UPDATE of the cases, then COMMIT, with the
   raw driver and no decisions: what the database alone needs to read the cases and write the rows.

Usage:
    .venv/bin/python bench/planning_bench.py --cases 1000000 --due 100000 --db both [--batch 2000]
Development loop: `--keep` leaves the loaded database behind; `--reuse URL` resets and measures it again.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from planning_data import FLOOR_AT, NOW, TABLES, generate, reset, snapshot_and_analyze

PG_ADMIN_URL = os.environ.get(
    "ARREARS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
OUTBOX_KEYS = ("id", "idempotency_key", "case_id", "customer_id", "kind", "step_id", "channel",
               "destination", "destination_kind", "template", "payload", "status", "not_before", "attempts",
               "created_at")  # fmt: skip
UPDATE_KEYS = ("steps", "at", "stage", "updated", "id")


_THIS_DATABASE_BACKENDS = (
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def _backend_cpu(engine: Engine) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to the benchmark's database, by pid.

    Read from /proc, so only when the server runs on this machine, as here (empty for SQLite). Only this
    database's backends count: other work on the same server is not charged to the planner. The WAL
    writer and checkpointer are shared and left out, so the figure is a floor of the server's cost.
    """
    if engine.dialect.name != "postgresql":
        return {}
    # A connection of its own: one borrowed from the planner's pool would leave the planner's backend out.
    monitor = create_engine(engine.url, poolclass=NullPool)
    with monitor.connect() as conn:
        pids = conn.execute(text(_THIS_DATABASE_BACKENDS)).scalars().all()
    monitor.dispose()
    return {pid: _process_cpu(pid) for pid in pids}


def _backend_cpu_since(engine: Engine, before: dict[int, float], exclude: set[int]) -> float:
    after = _backend_cpu(engine)
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items() if pid not in exclude)


def _process_cpu(pid: int) -> float:
    """utime + stime of a process on this machine, in seconds (0 when it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(") ")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu_seconds() -> float:
    """This process's CPU time: with shared cores, wall time alone overstates what the planner costs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _sqlite_ts(instant: datetime) -> str:
    """SQLAlchemy's storage format for SQLite DATETIME, in UTC: what UTCDateTime writes and compares."""
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _pg_ts(instant: datetime) -> datetime:
    return instant


def _pg_iso(instant: datetime) -> str:
    return instant.isoformat()


# ---------------------------------------------------------------------------------------------- loading


def load(url: str, cases: int, due: int, chunk: int = 50_000) -> None:
    from arrears.strategy.catalog import StrategyLibrary

    library = StrategyLibrary.load(None)
    started = time.perf_counter()
    pg = url.startswith("postgresql")
    if pg:
        import psycopg

        conn: Any = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        conn.execute("SET session_replication_role = replica")  # skip FK triggers while loading
    else:
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("PRAGMA synchronous=OFF")
    done = 0
    for rows in generate(cases, due, library, _pg_ts if pg else _sqlite_ts, chunk=chunk):
        if pg:
            with conn.cursor() as cur:
                for table, batch in rows.items():
                    with cur.copy(f"COPY {table} ({', '.join(TABLES[table])}) FROM STDIN") as copy:
                        for row in batch:
                            copy.write_row(row)
            conn.commit()
        else:
            conn.execute("BEGIN")
            for table, batch in rows.items():
                marks = ", ".join("?" * len(TABLES[table]))
                conn.executemany(f"INSERT INTO {table} ({', '.join(TABLES[table])}) VALUES ({marks})", batch)
            conn.execute("COMMIT")
        done += len(rows["cases"])
        elapsed = time.perf_counter() - started
        print(
            f"  loaded {done:,}/{cases:,} cases ({done / elapsed:,.0f} cases/s, {elapsed:.0f}s)", flush=True
        )
    conn.close()
    snapshot_and_analyze(url)
    print(f"  load + analyze: {time.perf_counter() - started:.0f}s", flush=True)


def _engine(url: str) -> Engine:
    from arrears.store.db import make_engine

    return make_engine(url)


# ------------------------------------------------------------------------------------------ measuring


def _gate(name: str) -> Any:
    from arrears.compliance.gate import ProfileGate
    from arrears.compliance.minimal import MinimalGate
    from arrears.settings import Settings
    from arrears.system.parts import contact_gate

    if name == "minimal":
        return MinimalGate()
    if name == "profile":
        return ProfileGate.from_files()
    return contact_gate(Settings())


def _plan_in_process(url: str, batch: int, gate_name: str, go: Any, out: Any) -> None:
    """One extra planner process (forked): waits for the start signal, plans until idle, reports."""
    from arrears.core.clock import SimulatedClock
    from arrears.engine.heap import settle_heap
    from arrears.engine.planner import Planner
    from arrears.store.db import session_factory
    from arrears.strategy.catalog import StrategyLibrary

    engine = _engine(url)
    planner = Planner(
        session_factory(engine), SimulatedClock(NOW), StrategyLibrary.load(None), _gate(gate_name),
        batch_size=batch,
    )  # fmt: skip
    with engine.connect() as conn:  # the backend the planner will use (the pool hands it back)
        pid = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
        before = _process_cpu(pid)
    settle_heap()  # as `arrears worker` does once started
    go.wait()
    stats = planner.run_until_idle()
    out.put((vars(stats), _cpu_seconds(), pid, _process_cpu(pid) - before))
    engine.dispose()


def child(url: str, batch: int, gate_name: str, profile: str | None, workers: int = 1) -> None:
    """Runs in its own process: plan every due case, then the floor; prints one JSON result line.

    With `workers` > 1, that many planner processes share the database (FOR UPDATE SKIP LOCKED), as
    several `arrears worker` processes would; the wall time runs from the common start until the last
    one is idle.
    """
    import multiprocessing

    from sqlalchemy import func, select

    from arrears.core.clock import SimulatedClock
    from arrears.engine.heap import settle_heap
    from arrears.engine.planner import Planner, PlanStats
    from arrears.engine.strategies import register_strategies
    from arrears.store.db import session_factory, transaction
    from arrears.store.models import OutboxAction, Task
    from arrears.strategy.catalog import StrategyLibrary

    engine = _engine(url)
    sessions = session_factory(engine)
    library = StrategyLibrary.load(None)
    gate = _gate(gate_name)
    with transaction(sessions) as session:
        register_strategies(session, library, NOW)
    engine.dispose()
    context = multiprocessing.get_context("fork")
    go, out = context.Event(), context.Queue()
    extra = [
        context.Process(target=_plan_in_process, args=(url, batch, gate_name, go, out))
        for _ in range(workers - 1)
    ]
    for process in extra:
        process.start()
    planner = Planner(sessions, SimulatedClock(NOW), library, gate, batch_size=batch)
    time.sleep(3 if extra else 0)  # the extra processes build their gates and engines before the start
    settle_heap()  # as `arrears worker` does once started
    before = _rss_mib()
    profiler = cProfile.Profile() if profile else None
    cpu_before, pg_before = _cpu_seconds(), _backend_cpu(engine)
    started = time.perf_counter()
    go.set()
    if profiler:
        profiler.enable()
    stats = planner.run_until_idle()
    if profiler:
        profiler.disable()
    extra_cpu = extra_pg_cpu = 0.0
    extra_pids: set[int] = set()
    for process in extra:
        other, cpu_other, pid_other, pg_other = out.get()
        for name, value in other.items():
            setattr(stats, name, getattr(stats, name) + value)
        extra_cpu += cpu_other
        extra_pids.add(pid_other)
        extra_pg_cpu += pg_other
        process.join()
    assert isinstance(stats, PlanStats)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before + extra_cpu
    pg_cpu = _backend_cpu_since(engine, pg_before, exclude=extra_pids) + extra_pg_cpu
    peak = _rss_mib()
    with sessions() as session:
        outbox = session.scalar(select(func.count()).select_from(OutboxAction))
        tasks = session.scalar(select(func.count()).select_from(Task))
    floor_cases, floor_seconds = floor(engine, batch)
    engine.dispose()
    result = {
        "db": engine.dialect.name,
        "gate": type(gate).__name__,
        "batch": batch,
        "workers": workers,
        "due_cases": stats.cases,
        "seconds": round(seconds, 2),
        "cases_per_s": round(stats.cases / seconds),
        "planner_cpu_s": round(cpu, 2),
        "postgres_cpu_s": round(pg_cpu, 2),
        "cpu_us_per_case": round((cpu + pg_cpu) / max(stats.cases, 1) * 1e6),
        "outbox_rows": outbox,
        "tasks": tasks,
        "stats": vars(stats),
        "rss_before_mib": round(before, 1),
        "peak_rss_mib": round(peak, 1),
        "growth_mib": round(peak - before, 1),
        "floor_cases": floor_cases,
        "floor_seconds": round(floor_seconds, 2),
        "floor_cases_per_s": round(floor_cases / floor_seconds),
        "ratio": round((floor_cases / floor_seconds) / (stats.cases / seconds), 2),
    }
    print("RESULT " + json.dumps(result), flush=True)
    if profiler and profile:
        profiler.dump_stats(profile)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)


def floor(engine: Engine, batch: int) -> tuple[int, float]:
    """Read each batch of floor cases with their customers, write one outbox row each, move the cases on.

    The fastest plain shape each database offers: one ordered, limited index walk joined to customers;
    on PostgreSQL one INSERT and one UPDATE per batch fed by one JSON document (json_to_recordset, as
    the planner's writes are), on SQLite the driver's executemany. No ORM, no decisions.
    """
    pg = engine.dialect.name == "postgresql"
    mark = "%s" if pg else "?"
    lo, hi = FLOOR_AT - timedelta(days=2), FLOOR_AT
    later = FLOOR_AT + timedelta(days=7)
    select_sql = (
        "SELECT c.id, c.customer_id, c.completed_steps, c.strategy_name, c.balance_minor, cu.name, "
        "cu.time_zone FROM cases c JOIN customers cu ON cu.id = c.customer_id "
        f"WHERE c.status = 'open' AND c.next_action_at >= {mark} AND c.next_action_at <= {mark} "
        f"ORDER BY c.next_action_at LIMIT {mark}" + (" FOR UPDATE OF c SKIP LOCKED" if pg else "")
    )
    outbox_columns = (
        "id, idempotency_key, case_id, customer_id, kind, step_id, channel, destination, destination_kind, "
        "template, payload, status, not_before, attempts, created_at"
    )
    if pg:
        insert_sql = (
            f"INSERT INTO outbox_actions ({outbox_columns}) SELECT {outbox_columns} FROM json_to_recordset("
            "%s::json) AS v(id text, idempotency_key text, case_id text, customer_id text, kind text, "
            "step_id text, channel text, destination text, destination_kind text, template text, "
            "payload jsonb, status text, not_before timestamptz, attempts int, created_at timestamptz) "
            "ON CONFLICT (idempotency_key) DO NOTHING"
        )
        update_sql = (
            "UPDATE cases SET completed_steps = v.steps, next_action_at = v.at, stage = v.stage, "
            "updated_at = v.updated FROM json_to_recordset(%s::json) "
            "AS v(steps jsonb, at timestamptz, stage text, updated timestamptz, id text) "
            "WHERE cases.id = v.id"
        )
    else:
        insert_sql = (
            f"INSERT INTO outbox_actions ({outbox_columns}) VALUES ({', '.join('?' * 15)}) "
            "ON CONFLICT (idempotency_key) DO NOTHING"
        )
        update_sql = (
            "UPDATE cases SET completed_steps = ?, next_action_at = ?, stage = ?, updated_at = ? WHERE id = ?"
        )
    ts = _pg_iso if pg else _sqlite_ts
    now, wake = ts(NOW), ts(later)
    raw: Any = engine.raw_connection()
    cur = raw.cursor()
    count = 0
    started = time.perf_counter()
    while True:
        if not pg:
            cur.execute("BEGIN IMMEDIATE")
        cur.execute(select_sql, (ts(lo), ts(hi), batch))
        rows = cur.fetchall()
        if not rows:
            raw.commit() if pg else cur.execute("COMMIT")
            break
        outbox, updates = [], []
        for case_id, customer_id, completed, strategy, balance, name, zone in rows:
            steps = completed if isinstance(completed, list) else json.loads(completed)
            decision = {"verdict": "allow", "reasons": [], "time_zones": [zone]}
            payload: Any = {"tone": "friendly", "reason": f"{strategy}: {balance} due", "payment_link": True,
                            "decision": decision}  # fmt: skip
            steps = [*steps, "floor-step"]
            if not pg:
                payload, steps = json.dumps(payload), json.dumps(steps)
            outbox.append(
                (uuid.uuid4().hex, f"{case_id}:floor", case_id, customer_id, "contact", "floor-step", "email",
                 f"{name}@example.test", "personal_email", "floor/template", payload, "pending", now, 0, now)
            )  # fmt: skip
            updates.append((steps, wake, "early", now, case_id))
        if pg:
            cur.execute(insert_sql, (json.dumps([dict(zip(OUTBOX_KEYS, r, strict=True)) for r in outbox]),))
            cur.execute(update_sql, (json.dumps([dict(zip(UPDATE_KEYS, r, strict=True)) for r in updates]),))
            raw.commit()
        else:
            cur.executemany(insert_sql, outbox)
            cur.executemany(update_sql, updates)
            cur.execute("COMMIT")
        count += len(rows)
    seconds = time.perf_counter() - started
    cur.close()
    raw.close()
    return count, seconds


# ------------------------------------------------------------------------------------------- driving


def _measure(url: str, args: argparse.Namespace, gate: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", url, "--batch", str(args.batch), "--gate", gate,
               "--workers", str(args.workers)]  # fmt: skip
    if args.profile:
        command += ["--profile", args.profile]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    result: dict[str, Any] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("RESULT "):
            result = json.loads(line.removeprefix("RESULT "))
        print(line, end="", flush=True)
    if proc.wait() != 0:
        raise SystemExit(f"child failed on {url}")
    return result


def _fresh(db: str, tmp: Path) -> tuple[str, Engine | None, str]:
    if db == "sqlite":
        return f"sqlite:///{tmp / 'planning.db'}", None, ""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"arrears_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return admin.url.set(database=name).render_as_string(hide_password=False), admin, name


def run(db: str, args: argparse.Namespace, tmp: Path) -> list[dict[str, Any]]:
    from arrears.store.migrate import upgrade

    url, admin, name = _fresh(db, tmp)
    print(f"== {db}: {args.cases:,} cases, {args.due:,} due, batch {args.batch} ({url})", flush=True)
    try:
        engine = _engine(url)
        upgrade(engine)
        engine.dispose()
        load(url, args.cases, args.due)
        results = []
        for n, gate in enumerate(args.gate.split(",")):
            if n:
                reset(url)
            results.append(_measure(url, args, gate))
        return results
    finally:
        if admin is not None and not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--batch", type=int, default=2000, help="planner batch size (and the floor's)")
    parser.add_argument(
        "--gate",
        default="wired",
        help="wired|minimal|profile, or a comma list: one planner run each (reset between)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="planner processes sharing the database (PostgreSQL)"
    )
    parser.add_argument("--profile", help="write cProfile stats of the planner run to this file")
    parser.add_argument("--keep", action="store_true", help="keep the loaded database for --reuse")
    parser.add_argument("--reuse", help="reset and measure an already loaded database URL")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.batch, args.gate, args.profile, args.workers)
        return
    print(f"# planning benchmark {datetime.now(UTC):%Y-%m-%d %H:%M}Z, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores, NOW={NOW.isoformat()}", flush=True)  # fmt: skip
    if args.reuse:
        for gate in args.gate.split(","):
            reset(args.reuse)
            _measure(args.reuse, args, gate)
        return
    results: list[dict[str, Any]] = []
    tmp = Path(tempfile.mkdtemp(prefix="arrears-planning-"))
    for db in ("postgresql", "sqlite") if args.db == "both" else (args.db,):
        results += run(db, args, tmp)
    print(
        "\n| db | gate | batch | workers | due cases | planner cases/s | floor cases/s | floor/planner "
        "| peak RSS MiB |"
    )
    for r in results:
        print(f"| {r['db']} | {r['gate']} | {r['batch']} | {r['workers']} | {r['due_cases']:,} | "
              f"{r['cases_per_s']:,} | "
              f"{r['floor_cases_per_s']:,} | {r['ratio']} | "
              f"{r['peak_rss_mib']} (+{r['growth_mib']}) |")  # fmt: skip
    if args.keep:
        print(f"kept: {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
