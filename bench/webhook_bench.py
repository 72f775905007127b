"""Webhooks and events under a steady open-loop load: webhook -> stored, stored -> applied, CPU per event.

Starts `arrears serve` (uvicorn, `--server-workers` processes) and one `arrears worker` against a fresh
database (a SQLite file; a PostgreSQL database created and dropped around the run), then sends signed
Twilio text webhooks (`--kind twilio`, see webhook_load.py) or billing events through `POST /v1/events`
(`--kind events`) at a fixed rate from a load generator on loopback (open loop: request i leaves at
i / rate whatever the server does; its latency counts from that instant). Reported:

- webhook -> stored: the HTTP round trip (the answer leaves after the inbox row is committed), p50/p99/max
  over the requests after the warm-up;
- stored -> applied: `processed_at - received_at` (the worker's clock when it began applying), and when a
  poll every 100 ms first saw the row done (an upper bound by at most the poll interval), p50/p99/max;
- achieved sending, storing and applying rates, errors, redeliveries (the first 400 requests again);
- CPU seconds per event of the server processes, of the worker, of PostgreSQL's backends of each (by
  application_name, from /proc), and of the load generator;
- floors, in the same run: an empty HTTP round trip on uvicorn, the same bodies through FastAPI without a
  database, and the inbox row written and marked applied by the raw driver (webhook_floors.py).

    .venv/bin/python bench/webhook_bench.py --kind twilio --database both --rate 200 --seconds 60
    .venv/bin/python bench/webhook_bench.py --kind events --database both --rate 200 --seconds 60
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.pool import NullPool

from arrears.store.db import make_engine
from arrears.store.models import InboxEvent, OutboxAction
from loadgen import Result, open_loop
from procs import (
    BackendCpu,
    TreeCpu,
    free_port,
    scratch_database,
    started,
    temp_folder,
    wait_for_port,
    with_app_name,
)
from webhook_floors import database_floor, floor_env
from webhook_load import AUTH_TOKEN, PUBLIC_BASE_URL, Load, events_load, prepare, senders, twilio_load
from webhook_report import OK, latencies, summarise, table

BIN = Path(sys.executable).parent
REPLAYS = 400


class Watcher(threading.Thread):
    """Every `interval` s: which inbox rows are now done (and when this was first seen), how many are still
    pending, and the PostgreSQL backends' CPU (so pooled connections that close are not lost)."""

    def __init__(self, url: str, interval: float, backends: BackendCpu | None) -> None:
        super().__init__(daemon=True)
        # Not make_engine: its SQLite engine takes the write lock at BEGIN, and this one only reads.
        self.engine: Engine = create_engine(with_app_name(url, "bench-poller"), poolclass=NullPool)
        self.interval, self.backends = interval, backends
        self.seen: dict[str, float] = {}
        self.pending = -1
        self.halt = threading.Event()

    def run(self) -> None:
        since = datetime(2000, 1, 1, tzinfo=UTC)
        with self.engine.connect() as conn:
            while not self.halt.wait(self.interval):
                rows = conn.execute(
                    select(InboxEvent.id, InboxEvent.processed_at).where(
                        InboxEvent.status == "done", InboxEvent.processed_at >= since
                    )
                ).all()
                now = time.time()
                for row_id, processed in rows:
                    self.seen.setdefault(row_id, now)
                    since = max(since, processed.replace(microsecond=0))
                pending = select(func.count()).select_from(InboxEvent).where(InboxEvent.status == "pending")
                due = (
                    select(func.count())
                    .select_from(OutboxAction)
                    .where(OutboxAction.status == "pending", OutboxAction.not_before <= datetime.now(UTC))
                )
                # Settled: every input applied and every message it caused sent (or deferred by the gate).
                self.pending = int(conn.execute(pending).scalar_one()) + int(conn.execute(due).scalar_one())
                conn.commit()
                if self.backends:
                    self.backends.sample()
        self.engine.dispose()


def _env(url: str, name: str, folder: Path, args: argparse.Namespace) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ARREARS_")}
    return env | {
        "ARREARS_DATABASE_URL": with_app_name(url, name),
        "ARREARS_TWILIO_AUTH_TOKEN": AUTH_TOKEN,  # webhooks on; no account SID: replies go to the sinks
        "ARREARS_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "ARREARS_OUTBOX_DIR": str(folder / "outbox"),
        "ARREARS_LOG_LEVEL": args.log_level,
        "ARREARS_WORKER_POLL_SECONDS": str(args.worker_poll),
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def http_floor(app: str, load: Load, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """The first `--floor-seconds` of the same requests, at the same rate, to a floor app on uvicorn."""
    port = free_port()
    command = [str(BIN / "uvicorn"), app, "--app-dir", str(Path(__file__).parent), "--port", str(port),
               "--workers", str(args.server_workers), "--no-access-log", "--log-level",
               "warning"]  # fmt: skip
    count = int(args.rate * args.floor_seconds)
    with started(command, floor_env(), folder / "floor.log") as process:
        wait_for_port(port, process)
        cpu = TreeCpu(process.pid)
        before = cpu.sample()
        results, _ = open_loop(port, load.requests[:count], args.rate)
        used = cpu.sample() - before
    errors = sum(1 for r in results if r.status not in OK)
    skip = int(args.rate * min(args.warmup, args.floor_seconds / 3))  # the server's first requests
    return {**latencies(results[skip:]), "errors": errors, "server_cpu_us": round(used / count * 1e6)}


class Service:
    """`arrears serve` and one `arrears worker`, running until the block ends; the worker can be stopped
    and started again (`--worker-after`: the entrance alone, then the worker on the backlog)."""

    def __init__(self, url: str, args: argparse.Namespace, folder: Path, port: int) -> None:
        self.url, self.args, self.folder, self.port = url, args, folder, port
        self.stack = ExitStack()
        self.workers: list[tuple[subprocess.Popen[bytes], TreeCpu]] = []

    def __enter__(self) -> Service:
        serve = [
            str(BIN / "arrears"),
            "serve",
            "--port",
            str(self.port),
            "--workers",
            str(self.args.server_workers),
        ]
        env = _env(self.url, "bench-serve", self.folder, self.args)
        server = self.stack.enter_context(started(serve, env, self.folder / "serve.log"))
        self.server = TreeCpu(server.pid)
        wait_for_port(self.port, server)
        self.start_worker()
        return self

    def start_worker(self) -> None:
        env = _env(self.url, "bench-worker", self.folder, self.args)
        worker = self.stack.enter_context(
            started([str(BIN / "arrears"), "worker"], env, self.folder / "worker.log")
        )
        time.sleep(self.args.settle)  # the worker builds its gate and registers strategies before the load
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited: {(self.folder / 'worker.log').read_text()[-2000:]}")
        self.workers.append((worker, TreeCpu(worker.pid)))

    def stop_worker(self) -> None:
        worker, cpu = self.workers[-1]
        cpu.sample()
        worker.terminate()
        worker.wait(timeout=60)

    def worker_cpu(self) -> float:
        return sum(
            cpu.sample() if worker.poll() is None else sum(cpu.last.values()) for worker, cpu in self.workers
        )

    def __exit__(self, *exc: object) -> None:
        self.stack.close()


def _drain(watcher: Watcher, seconds: float) -> None:
    """Until the worker has applied every stored input and sent what they caused (or `seconds` passed)."""
    deadline = time.monotonic() + seconds
    while watcher.pending != 0 and time.monotonic() < deadline:
        time.sleep(0.2)


def measure(warm: Load, load: Load, url: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Warm up (first statements, caches, the worker's first tick), wait until applied, then measure."""
    port = free_port()
    backends = BackendCpu(url) if url.startswith("postgresql") else None
    watcher = Watcher(url, 0.1, backends)
    total = len(load.requests)
    with Service(url, args, folder, port) as service:
        watcher.start()
        open_loop(port, warm.requests, args.rate)
        _drain(watcher, args.drain_timeout)
        time.sleep(2)  # the warm-up's replies leave
        if args.worker_after:
            service.stop_worker()
        if backends:
            backends.start()
        server0, worker0, own0 = service.server.sample(), service.worker_cpu(), _cpu()
        sending = time.perf_counter()
        results, connections = open_loop(port, load.requests, args.rate)
        sent_for = time.perf_counter() - sending
        server_used, own_used = service.server.sample() - server0, _cpu() - own0
        serve_pg = backends.by_name().get("bench-serve", 0.0) if backends else 0.0
        if args.worker_after:
            service.start_worker()
        _drain(watcher, args.drain_timeout)
        drained_after = time.perf_counter() - sending
        time.sleep(1)
        worker_used = service.worker_cpu() - worker0
        watcher.halt.set()
        watcher.join()
        worker_pg = backends.by_name().get("bench-worker", 0.0) if backends else 0.0
        replays, _ = open_loop(port, load.requests[:REPLAYS], args.rate)
    if backends:
        backends.close()
    if args.dump:
        _dump(Path(args.dump), url, results, watcher.seen)
    replay = latencies(replays) | {
        "requests": len(replays),
        "errors": sum(r.status not in OK for r in replays),
    }
    return summarise(load.kind, url, load.external_ids, results, args.rate, watcher.seen) | {
        "replay": replay,
        "server_workers": args.server_workers,
        "known_customers": load.known_customers,
        "connections_opened": connections,
        "sent_for_s": round(sent_for, 2),
        "drained_after_s": round(drained_after, 2),
        "server_cpu_us": round(server_used / total * 1e6),
        "server_pg_cpu_us": round(serve_pg / total * 1e6),
        "worker_cpu_us": round(worker_used / total * 1e6),
        "worker_pg_cpu_us": round(worker_pg / total * 1e6),
        "generator_cpu_us": round(own_used / total * 1e6),
    }


def _dump(path: Path, url: str, results: list[Result], seen: dict[str, float]) -> None:
    """Every request's latency and every stored row's times, for a closer look."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(InboxEvent.id, InboxEvent.external_id, InboxEvent.received_at, InboxEvent.processed_at)
        ).all()
    engine.dispose()
    stored = [
        [row.external_id, row.received_at.timestamp(),
         row.processed_at.timestamp() if row.processed_at else None, seen.get(row.id)]
        for row in rows
    ]  # fmt: skip
    requests = [[r.index, r.latency, r.late, r.status, r.error] for r in results]
    path.write_text(json.dumps({"url": url, "requests": requests, "stored": stored}))


def run(kind: str, database: str, args: argparse.Namespace) -> dict[str, Any]:
    with temp_folder("arrears-webhook-bench-") as tmp, scratch_database(database, Path(tmp)) as url:
        folder = Path(tmp)
        load_before = round(os.getloadavg()[0], 2)
        count, warm_count = int(args.rate * args.seconds), int(args.rate * args.warmup)
        phones, token = prepare(url, datetime.now(UTC), args.accounts if kind == "twilio" else 0)
        if kind == "twilio":
            customers, warm_customers = args.customers or count // 3, max(1, warm_count // 3)
            load = twilio_load(senders(phones, 0, customers, args.unknown), count, args.unknown)
            warm = twilio_load(
                senders(phones, customers, warm_customers, args.unknown), warm_count, args.unknown
            )
        else:
            load, warm = events_load(token, count, "m"), events_load(token, warm_count, "w")
        result = measure(warm, load, url, args, folder)
        floors = {
            "uvicorn_empty": http_floor("webhook_floors:empty_app", load, args, folder),
            "fastapi_no_db": http_floor("webhook_floors:framework_app", load, args, folder),
        }
        payloads = [_payload_of(load, n) for n in range(args.floor_rows)]
        floors["database"] = database_floor(url, payloads)
        return result | {
            "floors": floors,
            "load_before": load_before,
            "at": f"{datetime.now(UTC):%Y-%m-%d %H:%M}Z",
        }


def _payload_of(load: Load, index: int) -> dict[str, Any]:
    """The body the inbox stores for request `index` (the form, or the event), for the database floor."""
    raw = load.requests[index % len(load.requests)]
    body = raw.partition(b"\r\n\r\n")[2].decode()
    if load.kind == "events":
        parsed: dict[str, Any] = json.loads(body)
        return parsed
    from urllib.parse import parse_qsl

    return dict(parse_qsl(body, keep_blank_values=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--kind", choices=["twilio", "events"], default="twilio")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--server-workers", type=int, default=1, help="uvicorn processes")
    parser.add_argument("--accounts", type=int, default=7000, help="portfolio size (twilio)")
    parser.add_argument("--customers", type=int, default=0, help="texting customers (default: requests / 3)")
    parser.add_argument("--unknown", action="store_true", help="texts from numbers nobody has on file")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before the measured load")
    parser.add_argument("--worker-poll", type=float, default=1.0, help="ARREARS_WORKER_POLL_SECONDS")
    parser.add_argument("--log-level", default="INFO", help="ARREARS_LOG_LEVEL of server and worker")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds for the worker to start")
    parser.add_argument("--drain-timeout", type=float, default=900.0)
    parser.add_argument("--floor-seconds", type=float, default=15.0)
    parser.add_argument("--floor-rows", type=int, default=2000)
    parser.add_argument(
        "--worker-after",
        action="store_true",
        help="no worker while sending: the entrance alone, then the backlog",
    )
    parser.add_argument("--dump", help="write every request's latency and every row's times to this file")
    args = parser.parse_args()
    for database in ["sqlite", "postgresql"] if args.database == "both" else [args.database]:
        result = run(args.kind, database, args)
        print(json.dumps(result), flush=True)
        print(table(result), flush=True)


if __name__ == "__main__":
    main()
