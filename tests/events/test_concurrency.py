"""Concurrent deliveries: the same event from several workers at once is stored and applied once, and
first sightings of one new customer from several events at once create it once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.store.models import Customer, InboxEvent, Invoice, Payment
from tests.events.support import deliver, invoice_created, payment

THREADS = 6


def _race(sessions: sessionmaker[Session], deliveries: list[tuple[str, dict[str, Any]]]) -> list[str]:
    barrier = Barrier(len(deliveries))

    def one(delivery: tuple[str, dict[str, Any]]) -> str:
        barrier.wait()
        with sessions.begin() as session:
            return deliver(session, *delivery)

    with ThreadPoolExecutor(len(deliveries)) as pool:
        return list(pool.map(one, deliveries))


def _count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_one_new_customer_from_many_events_at_once(sessions: sessionmaker[Session]) -> None:
    deliveries = [(f"e{n}", invoice_created(n, account="a1", customer="c1")) for n in range(THREADS)]
    assert _race(sessions, deliveries) == ["done"] * THREADS
    with sessions() as session:
        assert (_count(session, Customer), _count(session, Invoice)) == (1, THREADS)


def test_the_same_delivery_at_once_is_applied_once(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        deliver(session, "e0", invoice_created(1, account="a1", customer="c1"))
    _race(sessions, [("p", payment(1, account="a1", amount="10.00"))] * THREADS)
    with sessions() as session:
        assert (_count(session, InboxEvent), _count(session, Payment)) == (2, 1)
        assert session.scalars(select(Invoice.balance_minor)).one() == 9000


def test_payments_racing_on_one_account_all_count(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        deliver(session, "e0", invoice_created(1, account="a1", customer="c1"))
    deliveries = [(f"p{n}", payment(n, account="a1", amount="10.00")) for n in range(THREADS)]
    assert _race(sessions, deliveries) == ["done"] * THREADS
    with sessions() as session:
        assert session.scalars(select(Invoice.balance_minor)).one() == 10000 - THREADS * 1000
