"""The webhook benchmark's figures: read back what was stored, reduce it, print it (JSON and a table)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from arrears.store.db import make_engine
from arrears.store.models import Conversation, InboxEvent, OutboxAction
from loadgen import Result, quantile

OK = (200, 202)
WINDOW = 10.0  # seconds per slice of the time series


def latencies(results: Sequence[Result]) -> dict[str, float]:
    ok = [r.latency for r in results if r.status in OK]
    return {
        "p50_ms": round(quantile(ok, 0.5) * 1000, 2),
        "p99_ms": round(quantile(ok, 0.99) * 1000, 2),
        "max_ms": round(max(ok, default=0.0) * 1000, 2),
        "late_p99_ms": round(quantile([r.late for r in results], 0.99) * 1000, 2),
    }


def spread(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(quantile(values, 0.5) * 1000, 1),
        "p99_ms": round(quantile(values, 0.99) * 1000, 1),
        "max_ms": round(max(values, default=0.0) * 1000, 1),
    }


def _slices(pairs: Sequence[tuple[float, float]], q: float) -> list[float]:
    """The q-quantile (ms) of the values per WINDOW seconds of their instants (seconds from the start)."""
    out: list[float] = []
    for n in range(int(max((t for t, _ in pairs), default=0.0) // WINDOW) + 1):
        chunk = [v for t, v in pairs if n * WINDOW <= t < (n + 1) * WINDOW]
        out.append(round(quantile(chunk, q) * 1000, 1))
    return out


def summarise(
    kind: str, url: str, external_ids: Sequence[str], results: Sequence[Result], rate: float,
    seen: dict[str, float],
) -> dict[str, Any]:  # fmt: skip
    """Latency, lag, rates and outcomes of the measured requests (not the warm-up's)."""
    wanted = set(external_ids)
    engine = make_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(
            select(InboxEvent.id, InboxEvent.external_id, InboxEvent.status, InboxEvent.received_at,
                   InboxEvent.processed_at, InboxEvent.error)
        ).all()  # fmt: skip
        outbox = {
            f"{kind} {status}": count
            for kind, status, count in conn.execute(
                select(OutboxAction.kind, OutboxAction.status, func.count())
                .group_by(OutboxAction.kind, OutboxAction.status)
            ).tuples()
        }  # fmt: skip
        conversations = conn.scalar(select(func.count()).select_from(Conversation))
    engine.dispose()
    rows = [row for row in stored if row.external_id in wanted]
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row.status] = by_status.get(row.status, 0) + 1
    done = [row for row in rows if row.status == "done"]
    start = min((row.received_at.timestamp() for row in rows), default=0.0)
    began = [(row.received_at.timestamp() - start, (row.processed_at - row.received_at).total_seconds())
             for row in done]  # fmt: skip
    observed = [seen[row.id] - row.received_at.timestamp() for row in done if row.id in seen]
    applied_at = sorted(row.processed_at.timestamp() for row in done)
    received_at = sorted(row.received_at.timestamp() for row in rows)
    errors = [r for r in results if r.status not in OK]
    n = len(results)
    return {
        "kind": kind,
        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        "rate": rate,
        "requests": n,
        "sent_per_s": round((n - 1) / ((n - 1) / rate + results[-1].late), 1),
        "stored_per_s": round(len(received_at) / max(received_at[-1] - received_at[0], 1e-9), 1),
        "applied_per_s": round(len(applied_at) / max(applied_at[-1] - applied_at[0], 1e-9), 1) if done else 0,
        "errors": len(errors),
        "error_kinds": sorted({r.error or str(r.status) for r in errors})[:5],
        "stored": len(rows),
        "by_status": by_status,
        "first_failure": next((row.error for row in rows if row.status == "failed"), None),
        "stored_latency": latencies(results),
        "stored_p99_per_10s": _slices([(r.index / rate, r.latency) for r in results if r.status in OK], 0.99),
        "applied_lag_began": spread([lag for _, lag in began]),
        "applied_lag_seen": spread(observed),
        "lag_p50_per_10s": _slices(began, 0.5),
        "seen_of_done": len(observed),
        "outbox": outbox,  # warm-up included
        "conversations": conversations,
        "load_1min": round(os.getloadavg()[0], 2),
    }


def table(r: dict[str, Any]) -> str:
    f, s, lag, seen = r["floors"], r["stored_latency"], r["applied_lag_began"], r["applied_lag_seen"]
    db, empty, bare = f["database"], f["uvicorn_empty"], f["fastapi_no_db"]
    return "\n".join(
        [
            f"{r['kind']} on {r['database']}: {r['requests']:,} requests at {r['rate']}/s, load "
            f"{r['load_before']} -> {r['load_1min']}, {r['server_workers']} server process(es), one worker, "
            f"{r['at']}",
            f"  sent {r['sent_per_s']}/s, stored {r['stored_per_s']}/s, applied {r['applied_per_s']}/s; "
            f"errors {r['errors']} {r['error_kinds']}; inbox {r['by_status']}; outbox {r['outbox']}",
            f"  webhook -> stored   p50 {s['p50_ms']} ms  p99 {s['p99_ms']} ms  max {s['max_ms']} ms"
            f"  (generator late p99 {s['late_p99_ms']} ms); p99 per 10 s {r['stored_p99_per_10s']}",
            f"    floors: uvicorn empty p50 {empty['p50_ms']} p99 {empty['p99_ms']} ms; FastAPI no db "
            f"p50 {bare['p50_ms']} p99 {bare['p99_ms']} ms; driver INSERT+COMMIT p50 {db['store']['p50_ms']}"
            f" p99 {db['store']['p99_ms']} ms",
            f"  stored -> applied   began p50 {lag['p50_ms']} p99 {lag['p99_ms']} max {lag['max_ms']} ms; "
            f"seen p50 {seen['p50_ms']} p99 {seen['p99_ms']} max {seen['max_ms']} ms; p50 per 10 s "
            f"{r['lag_p50_per_10s']}; drained {r['drained_after_s']} s after the first send "
            f"(sending took {r['sent_for_s']} s)",
            f"  CPU us/event: server {r['server_cpu_us']} (+pg {r['server_pg_cpu_us']}), worker "
            f"{r['worker_cpu_us']} (+pg {r['worker_pg_cpu_us']}), generator and poller "
            f"{r['generator_cpu_us']}",
            f"    floors: uvicorn empty {empty['server_cpu_us']}, FastAPI no db {bare['server_cpu_us']}; "
            f"driver store {db['store']['client_cpu_us']} (+pg {db['store']['postgres_cpu_us']}), driver "
            f"mark applied {db['apply']['client_cpu_us']} (+pg {db['apply']['postgres_cpu_us']})",
            f"  redelivered {r['replay']['requests']}: p50 {r['replay']['p50_ms']} ms p99 "
            f"{r['replay']['p99_ms']} ms, errors {r['replay']['errors']}",
        ]
    )
