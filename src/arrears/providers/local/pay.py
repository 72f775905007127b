"""What the local payment page shows and what its test-payment button records.

The amount due now is the case's current balance, or the link's amount for an offer or an instalment while
the link holds (never more than the balance). A test payment goes through the one way in: a
`payment.received` event stored in the inbox under the link's own identity and applied at once by the
billing handler, so a double submit stores one event and applies one payment.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from arrears.cases.status import CaseStatus
from arrears.core.money import format_minor
from arrears.events.schemas import InvoicePaid, PaymentReceived
from arrears.inbox import Applied, Inbox, InboxStatus
from arrears.messages.formatting import day, money
from arrears.payments.offers import invoices_covered
from arrears.store.models import Account, Case, Customer, InboxEvent, Invoice, PaymentLink

#: The inbox source of test payments; the external id is the link's: one payment per link.
SOURCE = "local-pay"


def open_link(session: Session, link_id: str, now: datetime) -> PaymentLink | None:
    """The link, its first view recorded (`opened_at`), and `paid_at` caught up when its test payment was
    applied later by the worker (the first attempt in the request had failed)."""
    link = session.get(PaymentLink, link_id)
    if link is None:
        return None
    if link.opened_at is None:
        session.execute(
            update(PaymentLink)
            .where(PaymentLink.id == link_id, PaymentLink.opened_at.is_(None))
            .values(opened_at=now)
        )
        set_committed_value(link, "opened_at", now)  # not flushed again: the first view keeps its time
    if link.paid_at is None:
        applied_at = session.scalar(
            select(InboxEvent.processed_at).where(
                InboxEvent.source == SOURCE,
                InboxEvent.external_id == link.id,
                InboxEvent.status == InboxStatus.DONE.value,
            )
        )
        if applied_at is not None:
            link.paid_at = applied_at
    return link


def amount_due(link: PaymentLink, case: Case) -> int:
    if link.paid_at is not None or case.status == CaseStatus.CLOSED.value or case.currency != link.currency:
        return 0
    balance = max(case.balance_minor, 0)
    return balance if link.purpose == "balance" else min(link.amount_minor, balance)


def page_values(session: Session, link: PaymentLink, business: str) -> dict[str, Any]:
    """Everything the page shows, formatted in the customer's locale and zone."""
    case = session.get_one(Case, link.case_id)
    customer = session.get_one(Customer, case.customer_id)
    locale = customer.locale
    due_minor = amount_due(link, case)
    invoices = session.execute(
        select(Invoice.number, Invoice.due_on, Invoice.balance_minor)
        .where(
            Invoice.account_id == case.account_id,
            Invoice.currency == case.currency,
            Invoice.status == "open",
            Invoice.balance_minor > 0,
        )
        .order_by(Invoice.due_on, Invoice.number)
    ).all()
    return {
        "business": business,
        "customer": customer.name,
        "paid": link.paid_at is not None,
        "offer": link.purpose != "balance" and due_minor > 0,
        "due_minor": due_minor,
        "due": money(due_minor, case.currency, locale),
        "invoices": [
            {
                "number": row.number,
                "due_on": day(row.due_on, locale, "medium"),
                "balance": money(row.balance_minor, case.currency, locale),
            }
            for row in invoices
        ],
        "expires_on": day(_local_day(link.expires_at, customer.time_zone), locale),
    }


def record_test_payment(
    session: Session, inbox: Inbox, link: PaymentLink, now: datetime
) -> tuple[Applied | None, int, str]:
    """Store and apply the link's test payment; (None, 0, currency) when nothing is due. `paid_at` is
    set in the same transaction the payment is applied in."""
    case = session.get_one(Case, link.case_id)
    due = amount_due(link, case)
    if due <= 0:
        return None, 0, case.currency
    account = session.get_one(Account, case.account_id)
    event = PaymentReceived(
        type="payment.received",
        source_system=account.source_system,
        payment_external_id=f"payment-link:{link.id}",
        account_external_id=account.external_id,
        currency=case.currency,
        amount=format_minor(due, case.currency),
        received_at=now,
        method="test",
    )
    applied = inbox.take_in(
        session, source=SOURCE, external_id=link.id, kind=event.type, payload=event.payload()
    )
    if applied.status is InboxStatus.DONE and link.paid_at is None:
        link.paid_at = now
        if link.purpose == "offer" and now <= link.expires_at:
            _settle_offer(session, inbox, link, account, now)
    return applied, due, case.currency


def _settle_offer(session: Session, inbox: Inbox, link: PaymentLink, account: Account, now: datetime) -> None:
    """An offer (an early-payment discount, an agreed settlement) paid while it held settles the invoices
    it covered, as Stripe's handler does: each as an `invoice.paid` through the inbox, under the link's
    identity, so the strategy stops and the source system is told. Invoices billed later stay owed."""
    for invoice in invoices_covered(session, link, account.id):
        settle = InvoicePaid(
            type="invoice.paid",
            source_system=invoice.source_system,
            invoice_external_id=invoice.external_id,
            paid_at=now,
        )
        external_id = f"{link.id}:settles:{invoice.external_id}"[:128]
        inbox.take_in(
            session, source=SOURCE, external_id=external_id, kind=settle.type, payload=settle.payload()
        )


def _local_day(instant: datetime, zone: str | None) -> date:
    try:
        return instant.astimezone(ZoneInfo(zone or "UTC")).date()
    except (ZoneInfoNotFoundError, ValueError):
        return instant.date()
