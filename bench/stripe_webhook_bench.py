"""Stripe webhook -> payment applied and pending outreach cancelled: latency and CPU, beside a floor.

Seeds a fresh database (SQLite file, or a PostgreSQL database created and dropped around the run) with
`--cases` overdue accounts, one pending outreach step each, and one Stripe payment link each (made through
the official SDK against the fake Stripe, src/arrears/fakes/stripe.py). Then starts `arrears serve` (the
installed console script) and a floor (this module's `floor_app` on uvicorn: the same route that only
verifies the Stripe-Signature and answers 200), and sends each case's two events as Stripe does (signed
``t=...,v1=...`` JSON over keep-alive loopback HTTP, one at a time): ``checkout.session.completed`` (the
payment applied, outreach cancelled, the case closed, all before the 200) and ``payment_intent.succeeded``
(the same payment again: a no-op). Reported: p50/p99/max per kind, the floor's, server CPU per webhook,
and whether every case's pending step was cancelled.

    .venv/bin/python bench/stripe_webhook_bench.py --db sqlite --cases 300
    .venv/bin/python bench/stripe_webhook_bench.py --db postgresql --cases 300 --json
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import stripe
from fastapi import FastAPI, Request, Response
from sqlalchemy import func, select

from arrears.core.ids import new_id
from arrears.fakes.stripe import FakeStripe, payment_events, serve, signed
from arrears.outbox import OutboxStatus, queue_actions
from arrears.payments import LinkRequest
from arrears.settings import Settings
from arrears.store.db import make_engine
from arrears.store.migrate import upgrade
from arrears.store.models import Case, OutboxAction
from arrears.system import build_system
from procs import TreeCpu, free_port, scratch_database, started, temp_folder, wait_for_port

BIN = Path(sys.executable).parent
SECRET = "whsec_bench_0000000000000000"

floor_app = FastAPI()


@floor_app.post("/v1/stripe/webhook")
async def floor_webhook(request: Request) -> Response:
    """The floor: read the body, verify the signature exactly as the product does, answer 200."""
    body = await request.body()
    try:
        stripe.WebhookSignature.verify_header(body, request.headers.get("Stripe-Signature"), SECRET, 300)
    except stripe.SignatureVerificationError:
        return Response(status_code=400)
    return Response(content=b'{"received":true}', media_type="application/json")


def seed(url: str, folder: Path, fake: FakeStripe, cases: int) -> list[list[dict[str, Any]]]:
    """Overdue accounts with a pending step and a Stripe link each; returns each case's two events."""
    engine = make_engine(url)
    upgrade(engine)
    settings = Settings.model_validate(
        {
            "database_url": url,
            "outbox_dir": folder / "outbox",
            "agent_business_name": "Bench Ltd",
            "stripe_api_key": fake.api_key,
            "stripe_webhook_secret": SECRET,
            "stripe_api_base": fake.url,
        }
    )
    system = build_system(settings, engine=engine)
    due = (date.today() - timedelta(days=20)).isoformat()
    for n in range(cases):
        body = {"type": "invoice.created", "customer_external_id": f"c{n}", "customer_name": f"Customer {n}",
                "account_external_id": f"a{n}", "invoice_external_id": f"i{n}", "invoice_number": f"N-{n}",
                "currency": "USD", "amount": "120.00", "issued_on": due, "due_on": due}  # fmt: skip
        system.inbox.take_now(source="bench", external_id=f"i{n}", kind="invoice.created", payload=body)
    with system.sessions.begin() as session:
        rows = session.execute(select(Case.id, Case.customer_id)).all()
        now = datetime.now(UTC)
        queue_actions(session, [_step(case_id, customer_id, now) for case_id, customer_id in rows])
    links = system.payment_links
    assert links is not None
    events = []
    for case_id, customer_id in rows:
        request = LinkRequest(f"bench-{case_id}", case_id, customer_id, 12_000, "USD", "balance",
                              datetime.now(UTC) + timedelta(hours=12), "Invoice N")  # fmt: skip
        links.link_for(request)
        ref = next(s for s, v in fake.sessions.items() if v["metadata"]["arrears_case_id"] == case_id)
        events.append(payment_events(fake, ref))
    system.dispose()
    return events


def _step(case_id: str, customer_id: str, now: datetime) -> dict[str, Any]:
    return {"id": new_id(), "idempotency_key": f"step-{case_id}", "case_id": case_id,
            "customer_id": customer_id, "kind": "contact", "step_id": "day-7", "channel": "email",
            "destination": "bench@example.com",
            "destination_kind": "personal_email", "template": "reminder", "payload": {},
            "status": OutboxStatus.PENDING.value, "not_before": now + timedelta(days=4), "attempts": 0,
            "created_at": now}  # fmt: skip


def send_all(port: int, bodies: list[dict[str, Any]]) -> tuple[list[float], int]:
    """Each event signed now and POSTed on one keep-alive connection; (latencies in s, non-200s)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, errors = [], 0
    for body in bodies:
        payload = json.dumps(body, separators=(",", ":"))
        headers = {
            "Content-Type": "application/json",
            "Stripe-Signature": signed(payload, SECRET, int(time.time())),
        }
        started_at = time.perf_counter()
        conn.request("POST", "/v1/stripe/webhook", body=payload.encode(), headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started_at)
        errors += response.status != 200
    conn.close()
    return latencies, errors


def figures(latencies: list[float], errors: int, cpu_seconds: float) -> dict[str, Any]:
    ordered = sorted(latencies)

    def q(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)

    per = cpu_seconds / max(len(ordered), 1)
    return {"requests": len(ordered), "p50_ms": q(0.50), "p99_ms": q(0.99),
            "max_ms": round(ordered[-1] * 1000, 2), "errors": errors,
            "server_cpu_ms": round(per * 1000, 2)}  # fmt: skip


def _env(url: str, fake: FakeStripe) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARREARS_")}
    return env | {
        "ARREARS_DATABASE_URL": url,
        "ARREARS_STRIPE_API_KEY": fake.api_key,
        "ARREARS_STRIPE_WEBHOOK_SECRET": SECRET,
        "ARREARS_STRIPE_API_BASE": fake.url,
        "ARREARS_BUSINESS_NAME": "Bench Ltd",
        "ARREARS_LOG_LEVEL": "WARNING",
    }


def run(db: str, cases: int) -> dict[str, Any]:
    with temp_folder("stripe-bench-") as tmp, scratch_database(db, Path(tmp)) as url:
        folder = Path(tmp)
        fake = FakeStripe(webhook_secret=SECRET)
        stop_fake = serve(fake)
        try:
            events = seed(url, folder, fake, cases)
            results: dict[str, Any] = {}
            port = free_port()
            serve_cmd = [str(BIN / "arrears"), "serve", "--port", str(port)]
            with started(serve_cmd, _env(url, fake) | {"ARREARS_OUTBOX_DIR": str(folder / "out")},
                         folder / "serve.log") as server:  # fmt: skip
                wait_for_port(port, server)
                send_all(port, [events[0][0], events[0][1]])  # warm-up: one case's two events
                cpu = TreeCpu(server.pid)
                for index, kind in ((0, "checkout.session.completed"), (1, "payment_intent.succeeded")):
                    before = cpu.sample()
                    latencies, errors = send_all(port, [pair[index] for pair in events[1:]])
                    results[f"arrears {kind}"] = figures(latencies, errors, cpu.sample() - before)
            floor_port = free_port()
            floor_cmd = [str(BIN / "uvicorn"), "stripe_webhook_bench:floor_app", "--app-dir",
                         str(Path(__file__).parent), "--port", str(floor_port), "--log-level", "warning",
                         "--no-access-log"]  # fmt: skip
            floor_env = {k: v for k, v in os.environ.items() if not k.startswith("ARREARS_")}
            with started(floor_cmd, floor_env, folder / "floor.log") as floor:
                wait_for_port(floor_port, floor)
                send_all(floor_port, [events[0][0]])
                cpu = TreeCpu(floor.pid)
                before = cpu.sample()
                latencies, errors = send_all(floor_port, [pair[0] for pair in events[1:]])
                results["floor (verify only)"] = figures(latencies, errors, cpu.sample() - before)
            engine = make_engine(url)
            with engine.connect() as conn:
                cancelled = conn.scalar(
                    select(func.count()).select_from(OutboxAction).where(OutboxAction.status == "cancelled")
                )
                closed = conn.scalar(select(func.count()).select_from(Case).where(Case.status == "closed"))
            engine.dispose()
            results["outcome"] = {"cases": cases, "steps_cancelled": cancelled, "cases_closed": closed}
            return results
        finally:
            stop_fake()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args.db, args.cases)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"Stripe webhook bench, {args.db}, {args.cases} cases")
    for name, row in results.items():
        print(f"  {name:40s} {row}")


if __name__ == "__main__":
    main()
