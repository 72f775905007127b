"""Floors for the webhook and events benchmark: what the server, the framework and the database alone need.

- `empty_app`: a bare ASGI app that answers 200 with no body: uvicorn's own cost per round trip.
- `framework_app`: FastAPI with one synchronous route per entrance that reads the body as the real
  routes do (a form for Twilio, JSON for events) and answers as they do, touching no database: what the
  framework and its thread pool add.
- `database_floor`: the inbox row written by the raw driver, one INSERT ... ON CONFLICT DO NOTHING and one
  COMMIT per row, one connection; then "applied" marked the same way (lock the row, UPDATE, COMMIT): what
  the database alone needs to store an input and to mark it applied, without SQLAlchemy or any handler.

uvicorn loads the two apps from this file (`--app-dir bench webhook_floors:empty_app`).
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response
from starlette.types import Receive, Scope, Send

from loadgen import quantile
from procs import BackendCpu, with_app_name


async def empty_app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:  # drain the body, as any server must before it answers on a kept-alive connection
        message = await receive()
        more = bool(message.get("more_body"))
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


framework_app = FastAPI()
_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


@framework_app.post("/v1/twilio/messages")
async def _twilio_floor(request: Request) -> Response:
    form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    return Response(content=_EMPTY_TWIML if form else "", media_type="application/xml")


@framework_app.post("/v1/events", status_code=202)
def _events_floor(event: dict[str, Any]) -> dict[str, str]:
    return {"status": "pending", "type": str(event.get("type"))}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def database_floor(url: str, payloads: list[dict[str, Any]]) -> dict[str, Any]:
    """Store each payload as an inbox row, then mark each applied, one transaction per row, raw driver."""
    pg = url.startswith("postgresql")
    monitor = BackendCpu(url) if pg else None
    if pg:
        import psycopg

        conn: Any = psycopg.connect(
            with_app_name(url, "bench-floor").replace("postgresql+psycopg://", "postgresql://")
        )
        mark, lock = "%s", " FOR UPDATE"
    else:
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
            conn.execute(f"PRAGMA {pragma}")
        mark, lock = "?", ""
    columns = "id, source, external_id, kind, payload, status, attempts, received_at"
    insert = (
        f"INSERT INTO inbox_events ({columns}) VALUES ({', '.join([mark] * 8)}) ON CONFLICT DO NOTHING "
        "RETURNING id"
    )
    select = f"SELECT status FROM inbox_events WHERE id = {mark}{lock}"
    update = f"UPDATE inbox_events SET status = 'done', attempts = 1, processed_at = {mark} WHERE id = {mark}"
    ids = [uuid.uuid4().hex for _ in payloads]

    def stamp() -> Any:
        now = datetime.now(UTC)
        return now if pg else now.strftime("%Y-%m-%d %H:%M:%S.%f")

    def one_store(row_id: str, payload: dict[str, Any]) -> None:
        if not pg:
            conn.execute("BEGIN IMMEDIATE")
        values = (row_id, "floor", row_id, "floor", json.dumps(payload), "pending", 0, stamp())
        conn.execute(insert, values).fetchall()
        conn.commit() if pg else conn.execute("COMMIT")

    def one_apply(row_id: str) -> None:
        if not pg:
            conn.execute("BEGIN IMMEDIATE")
        conn.execute(select, (row_id,)).fetchall()
        conn.execute(update, (stamp(), row_id))
        conn.commit() if pg else conn.execute("COMMIT")

    def store_at(index: int) -> None:
        one_store(ids[index], payloads[index])

    def apply_at(index: int) -> None:
        one_apply(ids[index])

    result: dict[str, Any] = {}
    work: Callable[[int], None]
    for name, work in (("store", store_at), ("apply", apply_at)):
        if monitor:
            monitor.start()
        cpu, started, latencies = _cpu(), time.perf_counter(), []
        for index in range(len(ids)):
            begun = time.perf_counter()
            work(index)
            latencies.append(time.perf_counter() - begun)
        wall, client = time.perf_counter() - started, _cpu() - cpu
        server = 0.0
        if monitor:
            monitor.sample()
            server = monitor.by_name().get("bench-floor", 0.0)
        result[name] = {
            "rows": len(ids),
            "p50_ms": round(quantile(latencies, 0.5) * 1000, 3),
            "p99_ms": round(quantile(latencies, 0.99) * 1000, 3),
            "rows_per_s": round(len(ids) / wall),
            "client_cpu_us": round(client / len(ids) * 1e6),
            "postgres_cpu_us": round(server / len(ids) * 1e6),
        }
    conn.close()
    if monitor:
        monitor.close()
    return result


def floor_env() -> dict[str, str]:
    """The environment a floor server runs in: no settings of ours are read."""
    return {key: value for key, value in os.environ.items() if not key.startswith("ARREARS_")}
