"""A failed send retries on the case strategy's backoff and gives up after its attempt limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.channels.base import ChannelError, DeliveryResult, OutboundMessage
from arrears.compliance.minimal import MinimalGate
from arrears.core.clock import SimulatedClock
from arrears.engine.dispatcher import Dispatcher
from arrears.engine.planner import Planner
from arrears.store.models import OutboxAction
from arrears.strategy.catalog import StrategyLibrary
from tests.engine.portfolio import add_debtor, open_cases

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


class DownProvider:
    """A provider that times out on every send (the failure is at the vendor, not in our code)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls = 0

    def send(self, message: OutboundMessage) -> DeliveryResult:
        self.calls += 1
        raise ChannelError("provider timed out")

    def lookup(self, idempotency_key: str) -> DeliveryResult | None:
        return None


def test_failed_sends_back_off_then_fail(sessions: sessionmaker[Session]) -> None:
    library = StrategyLibrary.load(None)
    retry = library.strategy("consumer-overdue", 1).retry
    clock = SimulatedClock(START)
    with sessions.begin() as session:
        add_debtor(session, now=START, due_on=START.date() - timedelta(days=2), mobile=None)  # e-mail only
    open_cases(sessions, START)
    Planner(sessions, clock, library, MinimalGate()).run_until_idle()
    email = DownProvider("email")
    dispatcher = Dispatcher(
        sessions,
        clock,
        {"email": email},
        MinimalGate(),
        worker_id="t",
        retry_for=lambda name, version: library.strategy(name, version).retry,
    )
    for attempt in range(1, retry.max_attempts + 1):
        dispatcher.run_until_idle()
        with sessions() as session:
            row = session.scalars(select(OutboxAction)).one()
        assert email.calls == attempt
        if attempt < retry.max_attempts:
            wait = retry.backoff_minutes[min(attempt, len(retry.backoff_minutes)) - 1]
            assert row.status == "pending" and row.not_before == clock.now() + timedelta(minutes=wait)
            clock.set(row.not_before)
        else:
            assert row.status == "failed" and row.last_error == "provider timed out"
    dispatcher.run_until_idle()
    assert email.calls == retry.max_attempts
