"""Payment plans: instalments worked one at a time, kept by the money received, broken as a whole."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.compliance.minimal import MinimalGate
from arrears.core.clock import SimulatedClock
from arrears.core.money import Money
from arrears.engine.planner import Planner
from arrears.promises import instalment_days, record_promise
from arrears.store.models import Case, Promise
from arrears.strategy.catalog import StrategyLibrary
from tests.events.support import NOW, deliver, invoice_created, payment

FIRST = date(2026, 3, 12)
AGREED = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)  # before the support stream's payments (9 March)


def test_instalments_fall_monthly_on_the_same_day_or_the_months_last() -> None:
    assert instalment_days(date(2026, 1, 31), 4) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert instalment_days(date(2026, 11, 15), 3) == [
        date(2026, 11, 15),
        date(2026, 12, 15),
        date(2027, 1, 15),
    ]
    assert instalment_days(FIRST, 1) == [FIRST]
    with pytest.raises(ValueError):
        instalment_days(FIRST, 0)


def _plan(sessions: sessionmaker[Session], instalments: int = 3, each: int = 3000) -> str:
    """A 100.00 EUR case, and a plan of `instalments` payments of `each` minor units from 12 March."""
    with sessions.begin() as session:
        deliver(session, "e1", invoice_created(1, account="a1", customer="c1"))
        case_id = session.scalars(select(Case.id)).one()
        record_promise(
            session,
            case_id=case_id,
            amount=Money(each, "EUR"),
            first_day=FIRST,
            instalments=instalments,
            channel="voice",
            now=AGREED,
        )
    return case_id


def _instalments(sessions: sessionmaker[Session]) -> list[tuple[int | None, date, str]]:
    with sessions() as session:
        rows = session.execute(
            select(Promise.instalment, Promise.due_on, Promise.status).order_by(Promise.instalment)
        )
        return [(n, due, status) for n, due, status in rows]


def test_a_plan_is_one_pending_instalment_and_the_rest_scheduled(sessions: sessionmaker[Session]) -> None:
    _plan(sessions)
    assert _instalments(sessions) == [
        (1, date(2026, 3, 12), "pending"),
        (2, date(2026, 4, 12), "scheduled"),
        (3, date(2026, 5, 12), "scheduled"),
    ]
    with sessions() as session:
        assert len({p.plan_id for p in session.scalars(select(Promise))}) == 1


def test_payments_keep_instalments_in_order_and_open_the_next(sessions: sessionmaker[Session]) -> None:
    _plan(sessions)
    with sessions.begin() as session:
        deliver(session, "p1", payment(1, account="a1", amount="30.00"))
    assert [s for _n, _d, s in _instalments(sessions)] == ["kept", "pending", "scheduled"]
    with sessions.begin() as session:
        deliver(session, "p2", payment(2, account="a1", amount="20.00"))  # short of the second
    assert [s for _n, _d, s in _instalments(sessions)] == ["kept", "pending", "scheduled"]
    with sessions.begin() as session:
        deliver(session, "p3", payment(3, account="a1", amount="40.00"))  # 60.00 since the first: two more
    assert [s for _n, _d, s in _instalments(sessions)] == ["kept", "kept", "kept"]
    with sessions() as session:
        assert session.scalars(select(Case.status)).one() == "open"  # 10.00 still owed


def test_settling_the_case_keeps_what_is_left_of_the_plan(sessions: sessionmaker[Session]) -> None:
    _plan(sessions)
    with sessions.begin() as session:
        deliver(session, "p1", payment(1, account="a1", amount="100.00"))
    assert [s for _n, _d, s in _instalments(sessions)] == ["kept", "kept", "kept"]
    with sessions() as session:
        assert session.scalars(select(Case.status)).one() == "closed"


def test_a_missed_instalment_breaks_the_plan(sessions: sessionmaker[Session]) -> None:
    case_id = _plan(sessions)
    with sessions.begin() as session:
        deliver(session, "p1", payment(1, account="a1", amount="30.00"))
        session.get_one(Case, case_id).next_action_at = NOW
    # The second instalment (12 April) plus two days' grace has passed with nothing paid.
    later = datetime(2026, 4, 16, 12, 0, tzinfo=UTC)
    planner = Planner(sessions, SimulatedClock(later), StrategyLibrary.load(None), MinimalGate())
    assert planner.run_once().promises_broken == 1
    assert [s for _n, _d, s in _instalments(sessions)] == ["kept", "broken", "cancelled"]
    with sessions() as session:
        assert session.get_one(Case, case_id).broken_promises == 1


def test_a_new_promise_replaces_the_whole_plan(sessions: sessionmaker[Session]) -> None:
    case_id = _plan(sessions)
    with sessions.begin() as session:
        record_promise(
            session,
            case_id=case_id,
            amount=Money(10000, "EUR"),
            first_day=date(2026, 3, 20),
            instalments=1,
            channel="sms",
            now=NOW,
        )
    with sessions() as session:
        rows = session.execute(select(Promise.plan_id, Promise.status, Promise.amount_minor)).all()
    assert sorted(status for _plan_id, status, _amount in rows) == ["cancelled"] * 3 + ["pending"]
    assert [(plan_id, amount) for plan_id, status, amount in rows if status == "pending"] == [(None, 10000)]
