"""On PostgreSQL a customer is contacted by one dispatcher at a time, so caps see every send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from arrears.compliance.minimal import MinimalGate
from arrears.core.clock import SimulatedClock
from arrears.engine.customer_locks import CustomerLocks
from arrears.engine.dispatcher import Dispatcher
from arrears.engine.planner import Planner
from arrears.providers.local.sinks import local_channels
from arrears.store.db import make_engine, session_factory
from arrears.store.models import Case, OutboxAction
from arrears.strategy.catalog import StrategyLibrary
from tests.engine.portfolio import add_debtor, open_cases

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def test_a_customer_held_by_one_worker_is_skipped_by_another(postgres_url: str, tmp_path: Path) -> None:
    engine = make_engine(postgres_url)
    sessions = session_factory(engine)
    clock = SimulatedClock(START)
    with sessions.begin() as session:
        held_account = add_debtor(session, now=START, due_on=START.date() - timedelta(days=5))
        add_debtor(session, now=START, due_on=START.date() - timedelta(days=5))
    open_cases(sessions, START)
    Planner(sessions, clock, StrategyLibrary.load(None), MinimalGate()).run_until_idle()
    with sessions() as session:
        rows = session.execute(select(OutboxAction.customer_id, OutboxAction.case_id)).all()
    with sessions() as session:
        held_customer = session.scalar(select(Case.customer_id).where(Case.account_id == held_account))
    assert held_customer is not None
    assert {r.customer_id for r in rows} > {held_customer}

    other_worker = CustomerLocks(engine)
    assert other_worker.acquire([held_customer]) == {held_customer}
    try:
        dispatcher = Dispatcher(sessions, clock, local_channels(tmp_path), MinimalGate(), worker_id="b")
        dispatcher.run_until_idle()
        with sessions() as session:
            status = dict(
                session.execute(select(OutboxAction.customer_id, OutboxAction.status)).tuples().all()
            )
        assert status[held_customer] == "pending"
        assert all(s == "sent" for c, s in status.items() if c != held_customer)
    finally:
        other_worker.release()
    assert (
        Dispatcher(sessions, clock, local_channels(tmp_path), MinimalGate(), worker_id="b")
        .run_until_idle()
        .sent
        >= 1
    )
    engine.dispose()
