"""Write-back throughput: events delivered per second by one worker to one destination.

Publishes `--events` payment.applied events (each about one of `--cases` seeded cases, so every batch loads
case snapshots) into a fresh database (a SQLite file, or a PostgreSQL database created and dropped around
the run), then times one write-back pass until the cursor is caught up, twice: to a destination that
accepts and does nothing (the machinery's own cost: lease, read, snapshots, record, advance) and to the
local Standard Webhooks receiver (src/arrears/fakes/webhooks.py, in a process of its own, verifying each
signature with the `standardwebhooks` package) over keep-alive loopback HTTP.

    .venv/bin/python bench/writeback_bench.py --db sqlite --events 2000
    .venv/bin/python bench/writeback_bench.py --db postgresql --events 2000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from multiprocessing import Event, Process, Queue
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.fakes import webhooks as fake_webhooks
from arrears.feed import EventKind, FeedEvent, event_row, publish_rows
from arrears.providers.webhooks import WebhookDestination, load_endpoints
from arrears.store.db import make_engine, session_factory
from arrears.store.migrate import upgrade
from arrears.store.models import Account, Case, Customer
from arrears.writeback import CaseSnapshot, Destination
from arrears.writeback.runner import WritebackRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procs import scratch_database

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


class Accepts:
    """Takes every event and does nothing: what is left is the runner's own cost."""

    name = "null"

    def accepts(self, kind: str) -> bool:
        return True

    def deliver(self, event: FeedEvent, case: CaseSnapshot | None) -> None:
        return None


def seed(sessions: sessionmaker[Session], cases: int, events: int) -> None:
    with sessions.begin() as session:
        case_ids = []
        for n in range(cases):
            customer = Customer(
                source_system="bench",
                external_id=f"c{n}",
                name=f"Customer {n}",
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(customer)
            session.flush()
            account = Account(
                customer_id=customer.id, source_system="bench", external_id=f"a{n}", created_at=NOW
            )
            session.add(account)
            session.flush()
            case = Case(
                account_id=account.id, customer_id=customer.id, strategy_name="s", strategy_version=1,
                currency="USD", balance_minor=10_000 + n, opening_balance_minor=10_000 + n,
                oldest_due_on=date(2026, 2, 1), opened_at=NOW, updated_at=NOW,
            )  # fmt: skip
            session.add(case)
            session.flush()
            case_ids.append(case.id)
        rows = [
            event_row(
                EventKind.PAYMENT_APPLIED, f"p{i}", NOW, case_id=case_ids[i % cases], data={"amount_minor": i}
            )
            for i in range(events)
        ]
        publish_rows(session, rows)


def timed(sessions: sessionmaker[Session], destination: Destination) -> tuple[int, float]:
    runner = WritebackRunner(sessions, SimulatedClock(NOW), [destination], owner="bench", max_batches=100_000)
    started = time.perf_counter()
    stats = runner.run_pass()
    return stats.delivered, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, scratch_database(args.db, Path(scratch)) as url:
        engine = make_engine(url)
        upgrade(engine)
        sessions = session_factory(engine)
        seed(sessions, args.cases, args.events)
        time.sleep(1.0)  # PostgreSQL: let the feed's visibility horizon pass the seeding transaction
        ready: Queue[str] = Queue()
        counts: Queue[tuple[int, int]] = Queue()
        done = Event()
        child = Process(target=serve_receiver, args=(ready, counts, done), daemon=True)
        child.start()
        try:
            (endpoint,) = load_endpoints(Path(ready.get(timeout=30)))
            pairs: list[tuple[str, Destination]] = [("machinery only", Accepts())]
            pairs.append(("signed webhook", WebhookDestination(endpoint)))
            for label, destination in pairs:
                delivered, seconds = timed(sessions, destination)
                rate = delivered / seconds if seconds else 0.0
                print(f"{args.db} {label}: {delivered} events in {seconds:.2f} s = {rate:.0f} events/s")
            done.set()
            verified, distinct = counts.get(timeout=30)
            print(f"receiver: {verified} verified, {distinct} distinct webhook-ids")
        finally:
            done.set()
            child.join(timeout=10)
            engine.dispose()


def serve_receiver(ready: Queue[str], counts: Queue[tuple[int, int]], done: EventType) -> None:
    """The receiver in its own process (as a customer's endpoint is), reporting what it verified."""
    receiver = fake_webhooks.start()
    ready.put(receiver.env["ARREARS_WEBHOOK_ENDPOINTS"])
    done.wait()
    counts.put((len(receiver.deliveries), len(receiver.ids())))
    receiver.stop()


if __name__ == "__main__":
    main()
