"""A customer's words become an outcome, and the strategy's routing rules decide whether a person confirms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from arrears.engine.inbox import process_inbox
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.engine.strategies import register_strategies
from arrears.store.models import Case, InboxEvent, Outcome, Promise, Task
from arrears.strategy.catalog import StrategyLibrary
from tests.engine.portfolio import add_debtor, open_cases

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # Tuesday, 11:00 in New York


def _say(sessions: sessionmaker[Session], text: str, n: int) -> None:
    with sessions.begin() as session:
        customer_id = session.scalar(select(Case.customer_id))
        session.add(
            InboxEvent(
                source="test-sms",
                external_id=f"m{n}",
                kind="message.received",
                received_at=NOW,
                payload={
                    "customer_id": customer_id,
                    "channel": "sms",
                    "text": text,
                    "from": "+12125550123",
                    "message_id": f"m{n}",
                },
            )
        )


def _setup(sessions: sessionmaker[Session], balance_minor: int) -> None:
    with sessions.begin() as session:
        register_strategies(session, StrategyLibrary.load(None), NOW)
        add_debtor(session, now=NOW, due_on=NOW.date() - timedelta(days=10), balance_minor=balance_minor)
    open_cases(sessions, NOW)


def test_a_promise_on_an_ordinary_balance_is_booked(sessions: sessionmaker[Session]) -> None:
    _setup(sessions, 12_000)
    _say(sessions, "I can pay the full amount on Friday", 1)
    assert process_inbox(sessions, SimulatedClock(NOW), lambda _n: ("consumer-overdue", 1)) == 1
    with sessions() as session:
        outcome = session.scalars(select(Outcome)).one()
        promise = session.scalars(select(Promise)).one()
        assert outcome.routing == "booked" and outcome.labels[0] == "promise_to_pay"
        assert promise.due_on.isoformat() == "2026-03-13" and promise.amount_minor == 12_000
        assert session.scalars(select(Task)).all() == []


def test_a_promise_on_a_high_value_account_goes_to_a_person(sessions: sessionmaker[Session]) -> None:
    _setup(sessions, 900_000)  # above the consumer strategy's USD 5,000.00 review threshold
    _say(sessions, "I can pay the full amount on Friday", 1)
    process_inbox(sessions, SimulatedClock(NOW), lambda _n: ("consumer-overdue", 1))
    with sessions() as session:
        outcome = session.scalars(select(Outcome)).one()
        task = session.scalars(select(Task)).one()
        assert outcome.routing == "sent_to_review" and "high value" in (outcome.next_step or "")
        assert task.reason == "review_outcome"
        assert session.scalars(select(Promise)).one().status == "pending"  # recorded; the ladder pauses


def test_a_dispute_holds_the_case_opens_a_task_and_stops_queued_outreach(
    sessions: sessionmaker[Session],
) -> None:
    from arrears.compliance.minimal import MinimalGate
    from arrears.engine.planner import Planner
    from arrears.store.models import Hold, OutboxAction

    _setup(sessions, 12_000)
    Planner(sessions, SimulatedClock(NOW), StrategyLibrary.load(None), MinimalGate()).run_until_idle()
    _say(sessions, "I never ordered this, it is not my debt", 1)
    process_inbox(sessions, SimulatedClock(NOW), lambda _n: ("consumer-overdue", 1))
    with sessions() as session:
        assert session.scalars(select(Hold.kind)).all() == ["dispute"]
        assert session.scalars(select(Task.reason)).all() == ["dispute"]
        assert session.scalars(select(Outcome.routing)).one() == "escalated"
        statuses = set(session.scalars(select(OutboxAction.status)))
    assert statuses and statuses <= {"cancelled"}


def test_stop_opts_out_of_the_channel_it_arrived_on(sessions: sessionmaker[Session]) -> None:
    from arrears.store.models import OptOut

    _setup(sessions, 12_000)
    _say(sessions, "STOP", 1)
    process_inbox(sessions, SimulatedClock(NOW), lambda _n: ("consumer-overdue", 1))
    with sessions() as session:
        opt_out = session.scalars(select(OptOut)).one()
    assert (opt_out.channel, opt_out.reason) == ("sms", "opt_out")
