"""The pages customers reach from a message, through the real app: `/pay/{token}` (the local provider's
payment page and its test payment) and `/u/{token}` (RFC 8058 one-click unsubscribe)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.core.ids import new_id
from arrears.outbox import OutboxStatus, queue_actions
from arrears.payments import LinkRequest
from arrears.store.models import Account, Case, InboxEvent, OptOut, OutboxAction, Payment, PaymentLink
from arrears.system import System
from tests.payments.support import BUSINESS, NOW, base36, open_case, system_for


@pytest.fixture
def system(engine: Engine, clock: SimulatedClock, tmp_path: Path) -> System:
    return system_for(engine, clock, tmp_path)


def _link(system: System, case: Case, *, purpose: str = "balance", amount_minor: int = 125_450) -> str:
    links = system.payment_links
    assert links is not None
    issued = links.link_for(
        LinkRequest(
            idempotency_key=f"action-{purpose}",
            case_id=case.id,
            customer_id=case.customer_id,
            amount_minor=amount_minor,
            currency=case.currency,
            purpose=purpose,
            expires_at=NOW + timedelta(days=30),
            description="Invoices INV-1001, INV-1002",
        )
    )
    return urlsplit(issued.url).path


def _link_row(sessions: sessionmaker[Session]) -> PaymentLink:
    with sessions() as session:
        return session.scalars(select(PaymentLink)).one()


def _count(sessions: sessionmaker[Session], model: type[object]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize(
    ("locale", "currency", "zone", "expected"),
    [
        (
            "en-US",
            "USD",
            "America/New_York",
            ["$1,254.50", "$1,234.50", "$20.00", "Feb 1, 2026", "April 9, 2026"],
        ),
        (
            "es-ES",
            "EUR",
            "Europe/Madrid",
            ["1.254,50\xa0€", "1.234,50\xa0€", "20,00\xa0€", "1 feb 2026", "9 de abril de 2026"],
        ),
    ],
)
def test_the_page_shows_what_is_due_in_the_customers_locale(
    client: TestClient,
    system: System,
    sessions: sessionmaker[Session],
    clock: SimulatedClock,
    locale: str,
    currency: str,
    zone: str,
    expected: list[str],
) -> None:
    path = _link(system, open_case(sessions, locale=locale, currency=currency, time_zone=zone))
    page = client.get(path)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    for text in [*expected, "INV-1001", "INV-1002", "Test payment", "Dana Reyes"]:
        assert text in page.text
    assert "<h1>Northwind &amp; Sons</h1>" in page.text and BUSINESS not in page.text  # escaped
    assert page.text.index("INV-1001") < page.text.index("INV-1002")
    assert _link_row(sessions).opened_at == NOW
    clock.advance(timedelta(hours=1))
    assert client.get(path).status_code == 200
    assert _link_row(sessions).opened_at == NOW  # the first view, kept


def test_an_offer_shows_the_agreed_amount_while_it_holds(
    client: TestClient, system: System, sessions: sessionmaker[Session]
) -> None:
    path = _link(system, open_case(sessions), purpose="offer", amount_minor=100_000)
    page = client.get(path).text
    assert "$1,000.00" in page and "amount agreed with you" in page and "$1,254.50" not in page


def test_an_offer_paid_while_it_holds_settles_the_invoices_it_covered(
    client: TestClient, system: System, sessions: sessionmaker[Session]
) -> None:
    """An agreed settlement or an early-payment discount: the customer pays the agreed amount and owes
    nothing more (Stripe's handler does the same); the settling events come through the inbox once."""
    case = open_case(sessions)
    path = _link(system, case, purpose="offer", amount_minor=100_000)
    assert client.post(path).status_code == 200 and client.post(path).status_code == 200
    with sessions() as session:
        settled = session.scalars(select(InboxEvent).where(InboxEvent.kind == "invoice.paid")).all()
        after = session.get_one(Case, case.id)
        payment = session.scalars(select(Payment)).one()
    assert [(e.source, e.status) for e in settled] == [("local-pay", "done")] * 2
    assert payment.amount_minor == 100_000 and (after.balance_minor, after.status) == (0, "closed")


def test_a_forged_or_altered_token_gets_404_and_an_expired_one_410_recording_nothing(
    client: TestClient, system: System, sessions: sessionmaker[Session], clock: SimulatedClock
) -> None:
    path = _link(system, open_case(sessions))
    link_id, seconds, signature = path.removeprefix("/pay/").split(".")
    later = base36(int(seconds, 36) + 86_400)
    for forged in (f"{link_id}.{later}.{signature}", f"{link_id}.{seconds}.{signature[::-1]}", "nonsense"):
        for method in (client.get, client.post):
            response = method(f"/pay/{forged}")
            assert response.status_code == 404 and "Link not found" in response.text
    clock.advance(timedelta(days=30))
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 410 and "expired" in response.text
    row = _link_row(sessions)
    assert (row.opened_at, row.paid_at) == (None, None)
    assert _count(sessions, Payment) == 0 and _count(sessions, InboxEvent) == 2  # the two invoices only


def test_a_test_payment_submitted_twice_is_stored_and_applied_once(
    client: TestClient, system: System, sessions: sessionmaker[Session]
) -> None:
    case = open_case(sessions)
    path = _link(system, case)
    first, second = client.post(path), client.post(path)
    assert first.status_code == 200 and "Test payment recorded: $1,254.50" in first.text
    assert second.status_code == 200 and "Paid: thank you" in second.text
    with sessions() as session:
        events = session.scalars(select(InboxEvent).where(InboxEvent.kind == "payment.received")).all()
        payment = session.scalars(select(Payment)).one()
        balance = session.scalar(select(Case.balance_minor).where(Case.id == case.id))
    assert [(e.source, e.status) for e in events] == [("local-pay", "done")]
    assert (payment.amount_minor, payment.currency, payment.method) == (125_450, "USD", "test")
    assert balance == 0
    assert _link_row(sessions).paid_at == NOW
    assert "Record a test payment" not in client.get(path).text


def _sent_email(sessions: sessionmaker[Session], case: Case) -> str:
    key = "email-step-1"
    with sessions.begin() as session:
        queue_actions(
            session,
            [
                {
                    "id": new_id(),
                    "idempotency_key": key,
                    "case_id": case.id,
                    "customer_id": case.customer_id,
                    "kind": "contact",
                    "step_id": "day-3",
                    "channel": "email",
                    "destination": "dana@example.com",
                    "destination_kind": "personal_email",
                    "template": "reminder",
                    "payload": {},
                    "status": OutboxStatus.SENT.value,
                    "not_before": NOW,
                    "attempts": 1,
                    "created_at": NOW,
                },
                {
                    "id": new_id(),
                    "idempotency_key": "email-step-2",
                    "case_id": case.id,
                    "customer_id": case.customer_id,
                    "kind": "contact",
                    "step_id": "day-7",
                    "channel": "email",
                    "destination": "dana@example.com",
                    "destination_kind": "personal_email",
                    "template": "reminder",
                    "payload": {},
                    "status": OutboxStatus.PENDING.value,
                    "not_before": NOW + timedelta(days=4),
                    "attempts": 0,
                    "created_at": NOW,
                },
            ],
        )
    return key


ONE_CLICK = {"content-type": "application/x-www-form-urlencoded"}


def test_one_click_unsubscribe_records_one_opt_out_of_that_address(
    client: TestClient, system: System, sessions: sessionmaker[Session]
) -> None:
    case = open_case(sessions)
    url = system.unsubscribe_links.url_for(_sent_email(sessions, case))
    path = urlsplit(url).path
    assert url.startswith("http://127.0.0.1:8000/u/") and "email-step-1" not in url
    shown = client.get(path)  # what a mail scanner's prefetch does
    assert shown.status_code == 200 and "<button" in shown.text and "List-Unsubscribe" in shown.text
    assert _count(sessions, OptOut) == 0 and _count(sessions, InboxEvent) == 2
    for _ in range(2):
        done = client.post(path, content="List-Unsubscribe=One-Click", headers=ONE_CLICK)
        assert done.status_code == 200 and "unsubscribed" in done.text
    with sessions() as session:
        opt_out = session.scalars(select(OptOut)).one()
        pending = session.scalar(
            select(OutboxAction.status).where(OutboxAction.idempotency_key == "email-step-2")
        )
        stored = session.scalars(select(InboxEvent.kind).where(InboxEvent.kind == "email.unsubscribe")).all()
    assert (opt_out.customer_id, opt_out.channel, opt_out.destination, opt_out.reason) == (
        case.customer_id,
        "email",
        "dana@example.com",
        "opt_out",
    )
    assert pending == "cancelled" and stored == ["email.unsubscribe"]


def test_unsubscribe_refuses_a_forged_token_and_a_post_that_does_not_ask(
    client: TestClient, system: System, sessions: sessionmaker[Session]
) -> None:
    case = open_case(sessions)
    path = urlsplit(system.unsubscribe_links.url_for(_sent_email(sessions, case))).path
    body, signature = path.removeprefix("/u/").split(".")
    forged = f"/u/{body}.{signature[:-2]}xx"
    assert client.get(forged).status_code == 404
    assert client.post(forged, content="List-Unsubscribe=One-Click", headers=ONE_CLICK).status_code == 404
    assert client.post(path, content="", headers=ONE_CLICK).status_code == 400
    assert _count(sessions, OptOut) == 0 and _count(sessions, InboxEvent) == 2


def test_a_test_payment_applied_later_by_the_worker_marks_the_link_paid(
    client: TestClient, system: System, sessions: sessionmaker[Session], clock: SimulatedClock
) -> None:
    """The request's attempt failed (here: the payment event waits, stored); the worker applies it later."""
    case = open_case(sessions)
    path = _link(system, case)
    with sessions.begin() as session:
        link = session.scalars(select(PaymentLink)).one()
        account = session.get_one(Account, case.account_id)
        body = {
            "type": "payment.received",
            "source_system": account.source_system,
            "payment_external_id": f"payment-link:{link.id}",
            "account_external_id": account.external_id,
            "currency": "USD",
            "amount": "1254.50",
            "received_at": NOW.isoformat(),
            "method": "test",
        }
    system.inbox.store(source="local-pay", external_id=link.id, kind="payment.received", payload=body)
    clock.advance(timedelta(minutes=5))
    assert system.inbox.apply_due() == 1
    assert "Paid: thank you" in client.get(path).text
    assert _link_row(sessions).paid_at == NOW + timedelta(minutes=5)
    assert client.post(path).status_code == 200 and _count(sessions, Payment) == 1


def test_one_click_unsubscribe_accepts_multipart_form_data(
    client: TestClient, system: System, sessions: sessionmaker[Session]
) -> None:
    """RFC 8058 lets the mail provider send the same field as multipart/form-data."""
    case = open_case(sessions)
    path = urlsplit(system.unsubscribe_links.url_for(_sent_email(sessions, case))).path
    assert client.post(path, files={"List-Unsubscribe": (None, "One-Click")}).status_code == 200
    assert client.post(path, files={"Something-Else": (None, "One-Click")}).status_code == 400
    with sessions() as session:
        assert session.scalars(select(OptOut.destination)).all() == ["dana@example.com"]
