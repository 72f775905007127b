"""Stripe's webhook through the real app: verified as Stripe signs (else 400 and nothing stored), stored
once per Stripe event id, applied through the billing path: one payment however often each event comes,
partial payments, a discount paid in full, refunds for a person, pending outreach stopped, promises kept."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.core.ids import new_id
from arrears.fakes.stripe import FakeStripe, event, payment_events, refund_event, signed
from arrears.outbox import OutboxStatus, queue_actions
from arrears.payments import LinkRequest
from arrears.store.models import Case, InboxEvent, Invoice, OutboxAction, Payment, PaymentLink, Promise, Task
from arrears.system import System
from tests.payments.support import NOW, open_case
from tests.providers.stripe.conftest import post_event

STAMP = int(NOW.timestamp())


def _link(system: System, case: Case, purpose: str, amount: int, days: float = 10) -> str:
    links = system.payment_links
    assert links is not None
    links.link_for(
        LinkRequest(f"action-{purpose}", case.id, case.customer_id, amount, "USD", purpose,
                    NOW + timedelta(days=days), "Invoices INV-1001, INV-1002")
    )  # fmt: skip
    with system.sessions() as session:
        ref = session.scalar(select(PaymentLink.provider_ref).where(PaymentLink.purpose == purpose))
    assert ref is not None
    return ref


def _pending_step(sessions: sessionmaker[Session], case: Case) -> None:
    with sessions.begin() as session:
        queue_actions(
            session,
            [
                {
                    "id": new_id(), "idempotency_key": "email-day-7", "case_id": case.id,
                    "customer_id": case.customer_id, "kind": "contact", "step_id": "day-7",
                    "channel": "email", "destination": "dana@example.com",
                    "destination_kind": "personal_email", "template": "reminder", "payload": {},
                    "status": OutboxStatus.PENDING.value, "not_before": NOW + timedelta(days=4),
                    "attempts": 0, "created_at": NOW,
                }
            ],
        )  # fmt: skip


def _count(sessions: sessionmaker[Session], model: type[Any]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _deliver_thrice(client: TestClient, fake: FakeStripe, events: list[dict[str, Any]]) -> None:
    for _ in range(3):
        for body in events:
            assert post_event(client, body, fake.webhook_secret, STAMP) == 200


def _balance(sessions: sessionmaker[Session], case: Case) -> tuple[int, str]:
    with sessions() as session:
        row = session.execute(select(Case.balance_minor, Case.status).where(Case.id == case.id)).one()
    return int(row[0]), str(row[1])


@pytest.mark.parametrize(
    "header",
    [
        None,
        "t=1,v1=00",
        "garbage",
        "wrong-secret",
        "expired",
    ],
)
def test_a_missing_wrong_or_stale_signature_is_400_and_records_nothing(
    system: System, client: TestClient, fake: FakeStripe, sessions: sessionmaker[Session], header: str | None
) -> None:
    case = open_case(sessions)
    events = payment_events(fake, _link(system, case, "balance", 125_450))
    for body in events:
        if header == "wrong-secret":
            value: str | None = signed(_json(body), "whsec_other", STAMP)
        elif header == "expired":
            value = signed(_json(body), fake.webhook_secret, STAMP - 301)
        else:
            value = header
        assert post_event(client, body, fake.webhook_secret, STAMP, header=value) == 400
    assert _count(sessions, InboxEvent) == 2  # the two invoice.created of the seed, nothing more
    assert _count(sessions, Payment) == 0


def test_a_tampered_body_is_refused(
    system: System, client: TestClient, fake: FakeStripe, sessions: sessionmaker[Session]
) -> None:
    case = open_case(sessions)
    body = payment_events(fake, _link(system, case, "balance", 125_450))[0]
    header = signed(_json(body), fake.webhook_secret, STAMP)
    body["data"]["object"]["amount_total"] = 1
    assert post_event(client, body, fake.webhook_secret, STAMP, header=header) == 400
    assert _count(sessions, Payment) == 0


def test_both_events_of_one_payment_delivered_three_times_make_one_payment_and_stop_outreach(
    system: System, client: TestClient, fake: FakeStripe, sessions: sessionmaker[Session]
) -> None:
    case = open_case(sessions)
    _pending_step(sessions, case)
    ref = _link(system, case, "balance", 125_450, days=0.5)
    assert ref.startswith("cs_")
    _deliver_thrice(client, fake, payment_events(fake, ref))
    with sessions() as session:
        payment = session.scalars(select(Payment)).one()
        stored = session.scalars(select(InboxEvent.status).where(InboxEvent.source == "stripe")).all()
        step = session.scalar(
            select(OutboxAction.status).where(OutboxAction.idempotency_key == "email-day-7")
        )
        link = session.scalars(select(PaymentLink)).one()
    assert (payment.amount_minor, payment.currency, payment.method) == (125_450, "USD", "stripe")
    assert payment.external_id.startswith("pi_") and payment.received_at == NOW
    assert stored == ["done", "done"] and step == OutboxStatus.CANCELLED.value
    assert link.paid_at == NOW
    assert _balance(sessions, case) == (0, "closed")


def test_a_partial_payment_keeps_the_promise_it_covers_and_the_case_open(
    system: System, client: TestClient, fake: FakeStripe, sessions: sessionmaker[Session]
) -> None:
    case = open_case(sessions)
    _pending_step(sessions, case)
    with sessions.begin() as session:
        session.add(
            Promise(case_id=case.id, amount_minor=20_000, currency="USD", due_on=date(2026, 3, 12),
                    channel="sms", status="pending", created_at=NOW - timedelta(days=1))
        )  # fmt: skip
    _deliver_thrice(client, fake, payment_events(fake, _link(system, case, "instalment", 20_000)))
    with sessions() as session:
        promise = session.scalars(select(Promise)).one()
        step = session.scalar(
            select(OutboxAction.status).where(OutboxAction.idempotency_key == "email-day-7")
        )
    assert promise.status == "kept" and step == OutboxStatus.CANCELLED.value
    assert _balance(sessions, case) == (125_450 - 20_000, "open")
    assert _count(sessions, Payment) == 1


def test_an_early_payment_discount_paid_in_full_settles_the_remainder(
    system: System, client: TestClient, fake: FakeStripe, sessions: sessionmaker[Session]
) -> None:
    case = open_case(sessions)
    _deliver_thrice(client, fake, payment_events(fake, _link(system, case, "offer", 110_000)))
    with sessions() as session:
        invoices = session.execute(select(Invoice.external_id, Invoice.balance_minor, Invoice.status)).all()
        paid = session.scalars(select(Payment.amount_minor)).all()
    assert sorted(invoices) == [("inv-1", 0, "paid"), ("inv-2", 0, "paid")]
    assert paid == [110_000]
    assert _balance(sessions, case) == (0, "closed")


def test_a_discount_paid_after_its_date_counts_but_settles_nothing(
    system: System,
    client: TestClient,
    fake: FakeStripe,
    sessions: sessionmaker[Session],
    clock: SimulatedClock,
) -> None:
    case = open_case(sessions)
    ref = _link(system, case, "offer", 110_000, days=2)
    clock.set(NOW + timedelta(days=3))
    late = int(clock.now().timestamp())
    for body in payment_events(fake, ref):
        assert post_event(client, body, fake.webhook_secret, late) == 200
    assert _balance(sessions, case) == (125_450 - 110_000, "open")


def test_a_refund_opens_one_task_for_a_person(
    system: System, client: TestClient, fake: FakeStripe, sessions: sessionmaker[Session]
) -> None:
    case = open_case(sessions)
    events = payment_events(fake, _link(system, case, "instalment", 20_000))
    _deliver_thrice(client, fake, events)
    _deliver_thrice(client, fake, [refund_event(fake, events[1]["data"]["object"], 5_000)])
    with sessions() as session:
        task = session.scalars(select(Task)).one()
    assert (task.reason, task.case_id, task.status) == ("payment_refunded", case.id, "open")
    assert "50.00 USD" in task.summary and task.context["amount_refunded_minor"] == 5_000


def test_unknown_types_and_payments_arrears_did_not_ask_for_are_stored_and_ignored(
    system: System, client: TestClient, fake: FakeStripe, sessions: sessionmaker[Session]
) -> None:
    open_case(sessions)
    foreign = {"id": "pi_other", "object": "payment_intent", "amount_received": 500, "currency": "usd"}
    bodies = [event("customer.created", {"id": "cus_1", "object": "customer"}, STAMP)]
    bodies.append(event("payment_intent.succeeded", foreign | {"metadata": {}}, STAMP))
    _deliver_thrice(client, fake, bodies)
    with sessions() as session:
        stored = session.scalars(select(InboxEvent.status).where(InboxEvent.source == "stripe")).all()
    assert stored == ["done", "done"] and _count(sessions, Payment) == 0


def _json(body: dict[str, Any]) -> str:
    import json

    return json.dumps(body, separators=(",", ":"))
