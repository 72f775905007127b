"""A case, events about it, and a runner writing them back to a signed-webhook receiver (the local fake)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.fakes import webhooks as fake_webhooks
from arrears.feed import EventKind, publish
from arrears.providers.webhooks import WebhookDestination, load_endpoints
from arrears.store.models import DomainEvent, FeedCursor, WritebackDelivery
from arrears.writeback import Destination, RetryPolicy
from arrears.writeback.runner import WritebackRunner
from tests.conversations.support import NOW, seed_case
from tests.feed.support import settled

POLICY = RetryPolicy(max_attempts=3, base_seconds=10.0, cap_seconds=600.0)


def receiver(tmp_path: Path, events: list[str] | None = None) -> fake_webhooks.WebhookReceiver:
    return fake_webhooks.start(config_dir=tmp_path, name="erp", events=events)


def destination(running: fake_webhooks.WebhookReceiver) -> WebhookDestination:
    (endpoint,) = load_endpoints(Path(running.env["ARREARS_WEBHOOK_ENDPOINTS"]))
    return WebhookDestination(endpoint, timeout_seconds=5.0)


def runner(
    sessions: sessionmaker[Session],
    clock: SimulatedClock,
    destinations: Sequence[Destination],
    owner: str = "worker-a",
    **kwargs: object,
) -> WritebackRunner:
    return WritebackRunner(sessions, clock, destinations, owner=owner, policy=POLICY, **kwargs)  # type: ignore[arg-type]


def seed_payments(sessions: sessionmaker[Session], count: int) -> tuple[str, list[str]]:
    """Dana's case, then `count` payment.applied events about it; returns (case id, payment event ids)."""
    case_id = seed_case(sessions)
    ids = []
    for n in range(count):
        with sessions.begin() as session:
            at = NOW + timedelta(seconds=n)
            data = {"amount_minor": 100 + n, "currency": "USD"}
            ids.append(
                publish(session, EventKind.PAYMENT_APPLIED, f"pay-{n}", at, case_id=case_id, data=data).id
            )
    visible(sessions)
    return case_id, ids


def visible(sessions: sessionmaker[Session]) -> None:
    """Wait until every stored event is readable (PostgreSQL's horizon: see tests/feed/support.py)."""
    with sessions() as session:
        stored = session.scalar(select(func.count()).select_from(DomainEvent)) or 0
    settled(sessions, lambda events: len(events) >= stored)


def feed_ids(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(DomainEvent.id).order_by(DomainEvent.txid, DomainEvent.seq)))


def ledger(sessions: sessionmaker[Session]) -> dict[str, WritebackDelivery]:
    with sessions() as session:
        return {r.event_id: r for r in session.scalars(select(WritebackDelivery))}


def rewind(sessions: sessionmaker[Session], consumer: str) -> None:
    """Put a cursor back to the start, as an operator replaying the whole feed would."""
    with sessions.begin() as session:
        session.execute(update(FeedCursor).where(FeedCursor.consumer == consumer).values(txid=0, seq=0))
