"""Event ingestion through the REST API on loopback: events per second sustained, p50/p99 latency.

Starts `uvicorn --factory arrears.system:serve_app` on a free 127.0.0.1 port and one `arrears worker` against
a fresh database (a SQLite file, or a PostgreSQL database created and dropped around the run), sends a
bounded number of events from a few concurrent clients (each answered 202 once stored in the inbox), waits
until the worker has applied every one, checks that each was stored and applied exactly once, and stops.
Reported: events stored per second and the 202's p50/p99 (closed loop: as fast as the clients can send),
and events applied per second from the first send until the last one was applied.

    .venv/bin/python bench/api_bench.py --database sqlite --events 20000 --clients 4
    .venv/bin/python bench/api_bench.py --database postgresql

Each client owns a disjoint set of accounts and sends their events in order (an invoice before the payment
against it), as a billing system pushing changes would. The client runs on the same machine as the server,
so the figures are a floor for the server alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from arrears.api.keys import create_api_key
from arrears.store.db import make_engine, session_factory, transaction
from arrears.store.migrate import upgrade
from arrears.store.models import InboxEvent, Payment

sys.path.insert(0, str(Path(__file__).resolve().parent))

from procs import free_port, scratch_database, started, temp_folder, wait_for_port

WARMUP_FRACTION = 0.05


def prepare(url: str) -> str:
    """Migrate the empty database and create a write key; returns the key."""
    engine = make_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as session:
        _, token = create_api_key(session, name="bench", scopes=["events:write"], now=datetime.now(UTC))
    engine.dispose()
    return token


@contextmanager
def running(url: str, port: int, workers: int, folder: Path) -> Iterator[None]:
    """`arrears serve` (uvicorn, `workers` processes) and one `arrears worker` applying what it stores,
    as in production; their output goes to serve.log and worker.log in `folder`."""
    env = {**os.environ, "ARREARS_DATABASE_URL": url, "ARREARS_LOG_LEVEL": "WARNING"}
    serve = [sys.executable, "-m", "uvicorn", "--factory", "arrears.system:serve_app", "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(workers), "--no-access-log", "--log-level",
             "warning"]  # fmt: skip
    apply = [str(Path(sys.executable).parent / "arrears"), "worker"]
    with started(serve, env, folder / "serve.log") as server, started(apply, env, folder / "worker.log"):
        wait_for_port(port, server)
        yield


def wait_applied(url: str, sent: int, seconds: float = 900) -> float:
    """When (perf_counter) the inbox first held `sent` applied events; polled every 100 ms."""
    engine = make_engine(url)
    query = select(func.count()).select_from(InboxEvent).where(InboxEvent.status == "done")
    try:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            with engine.connect() as conn:
                if (conn.scalar(query) or 0) >= sent:
                    return time.perf_counter()
            time.sleep(0.1)
        raise RuntimeError(f"the worker did not apply {sent} events within {seconds:.0f} s")
    finally:
        engine.dispose()


def client_events(client: int, count: int) -> list[tuple[str, dict[str, Any]]]:
    """`count` events for this client's own accounts: per account 2 invoices, an update, a customer change,
    and payments (one partial, one settling the first invoice), in the order a source would send them."""
    events: list[tuple[str, dict[str, Any]]] = []
    account = 0
    while len(events) < count:
        acc, cus = f"a{client}-{account}", f"c{client}-{account}"
        base = {
            "customer_external_id": cus,
            "customer_name": f"Customer {cus}",
            "account_external_id": acc,
            "currency": "EUR",
            "issued_on": "2026-09-01",
            "email": f"{cus}@example.com",
        }
        batch: list[dict[str, Any]] = [
            {
                "type": "invoice.created",
                **base,
                "invoice_external_id": f"{acc}-1",
                "invoice_number": f"{acc}-1",
                "amount": "120.00",
                "due_on": "2026-10-01",
            },
            {
                "type": "invoice.created",
                **base,
                "invoice_external_id": f"{acc}-2",
                "invoice_number": f"{acc}-2",
                "amount": "80.50",
                "due_on": "2026-12-15",
            },
            {
                "type": "payment.received",
                "payment_external_id": f"{acc}-p1",
                "account_external_id": acc,
                "currency": "EUR",
                "amount": "20.00",
                "received_at": "2026-11-20T09:30:00Z",
            },
            {"type": "invoice.updated", "invoice_external_id": f"{acc}-2", "balance": "70.50"},
            {"type": "customer.updated", "customer_external_id": cus, "segment": "retail", "tier": "silver"},
            {
                "type": "payment.received",
                "payment_external_id": f"{acc}-p2",
                "account_external_id": acc,
                "invoice_external_id": f"{acc}-1",
                "currency": "EUR",
                "amount": "100.00",
                "received_at": "2026-11-21T09:30:00Z",
            },
        ]
        events += [(f"{acc}-e{i}", body) for i, body in enumerate(batch)]
        account += 1
    return events[:count]


async def run_client(base: str, token: str, events: list[tuple[str, dict[str, Any]]]) -> list[float]:
    latencies = []
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
        for key, body in events:
            started = time.perf_counter()
            response = await http.post("/v1/events", json=body, headers={"Idempotency-Key": key})
            latencies.append(time.perf_counter() - started)
            if response.status_code not in (200, 202):  # 202 stored; 200 a replay of a stored event
                raise RuntimeError(f"{key}: {response.status_code} {response.text}")
    return latencies


async def drive(base: str, token: str, per_client: list[list[tuple[str, dict[str, Any]]]]) -> list[float]:
    results = await asyncio.gather(*(run_client(base, token, events) for events in per_client))
    return [latency for result in results for latency in result]


def measure(kind: str, total: int, clients: int, workers: int) -> dict[str, Any]:
    with temp_folder("arrears-api-bench-") as folder, scratch_database(kind, Path(folder)) as url:
        token = prepare(url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        share = total // clients
        streams = [client_events(c, share) for c in range(clients)]
        warm = max(1, int(share * WARMUP_FRACTION))
        sent = share * clients
        with running(url, port, workers, Path(folder)):
            asyncio.run(drive(base, token, [s[:warm] for s in streams]))
            started = time.perf_counter()
            latencies = asyncio.run(drive(base, token, [s[warm:] for s in streams]))
            elapsed = time.perf_counter() - started
            replay = asyncio.run(drive(base, token, [s[warm : warm + 100] for s in streams]))
            applied_after = wait_applied(url, sent) - started
        engine = make_engine(url)
        with engine.connect() as conn:
            applied = select(func.count()).select_from(InboxEvent).where(InboxEvent.status == "done")
            done = conn.scalar(applied)
            payments = conn.scalar(select(func.count()).select_from(Payment))
        engine.dispose()
    if done != sent:
        raise RuntimeError(f"{done} events stored and applied, {sent} sent")
    ordered = sorted(latencies)
    return {
        "database": kind,
        "events": sent,
        "measured_events": len(latencies),
        "clients": clients,
        "server_workers": workers,
        "events_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
        "replay_p50_ms": round(statistics.median(replay) * 1000, 2),
        "applied_per_second": round((sent - warm * clients) / applied_after, 1),
        "applied_after_last_send_s": round(applied_after - elapsed, 1),
        "payments_recorded": payments,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for kind in kinds:
        result = measure(kind, args.events, args.clients, args.workers)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
