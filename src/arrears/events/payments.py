"""Money in: record the payment once, allocate it to invoices, credit the case, keep promises.

The payment's external id is its identity: the same payment reported twice (even under another delivery id)
is recorded and allocated once. Allocation goes to the named invoice first, then to the account's oldest open
invoices in the payment's currency; money beyond every balance stays recorded on the payment, unallocated.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.casefacts.load import load_case_facts
from arrears.casefacts.views import case_view
from arrears.cases.planning import credit_open_case, wake
from arrears.cases.status import CaseStatus
from arrears.events.customers import find_account
from arrears.events.errors import EventError
from arrears.events.invoices import Applied, find_invoice
from arrears.events.schemas import PaymentReceived
from arrears.feed import EventKind, publish
from arrears.outbox import cancel_for_cases
from arrears.promises import keep_promises
from arrears.store.models import Account, Case, Invoice, Payment
from arrears.store.upsert import insert_ignore, stable_id
from arrears.strategy.reactions import after_payment


def apply_payment_received(session: Session, event: PaymentReceived, now: datetime) -> Applied:
    account = find_account(session, event.source_system, event.account_external_id)
    named: Invoice | None = None
    if event.invoice_external_id is not None:
        named = find_invoice(session, event.source_system, event.invoice_external_id)
        if named.account_id != account.id:
            raise EventError(
                "invoice_external_id",
                f"invoice {event.invoice_external_id!r} belongs to another account",
                kind="conflict",
            )
        if named.currency != event.currency:
            raise EventError("currency", f"invoice {event.invoice_external_id!r} is in {named.currency}")
    applied = Applied(account_id=account.id)
    payment_id = stable_id("payment", event.source_system, event.payment_external_id)
    values: dict[str, object] = {
        "account_id": account.id,
        "invoice_id": named.id if named is not None else None,
        "currency": event.currency,
        "amount_minor": event.amount_minor,
        "method": event.method,
        "received_at": event.received_at,
    }
    created = insert_ignore(
        session,
        Payment,
        {
            "id": payment_id,
            "source_system": event.source_system,
            "external_id": event.payment_external_id,
            **values,
        },
        ("source_system", "external_id"),
    )
    if not created:
        _check_same_payment(session, event, values)
        return applied
    applied.note("payment", payment_id, ["created"])
    overdue_paid = _allocate(session, account.id, named, event, now, applied)
    _stop_outreach(session, account.id, event.amount_minor, now)
    if overdue_paid:
        credit_open_case(session, account.id, event.currency, overdue_paid, now)
    _keep_promises(session, account.id, event.currency, now)
    _announce(session, payment_id, account.id, event, overdue_paid, now)
    return applied


def _stop_outreach(session: Session, account_id: str, paid_minor: int, now: datetime) -> None:
    """What the strategy says a payment does (`after_payment`): every queued message quotes a balance that
    is now wrong, so it stops at once and the planner plans again from the new balance."""
    case_ids = session.scalars(
        select(Case.id).where(Case.account_id == account_id, Case.status != CaseStatus.CLOSED.value)
    ).all()
    facts = load_case_facts(session, list(case_ids), now)
    stop = [
        case_id
        for case_id, fact in facts.items()
        if after_payment(case_view(fact), paid_minor).cancel_pending_outreach
    ]
    cancel_for_cases(session, stop)
    wake(session, stop, now)


def _announce(
    session: Session,
    payment_id: str,
    account_id: str,
    event: PaymentReceived,
    overdue_minor: int,
    now: datetime,
) -> None:
    case = session.execute(
        select(Case.id, Case.customer_id)
        .where(Case.account_id == account_id)
        .order_by(Case.opened_at.desc())
        .limit(1)
    ).first()
    customer_id = (
        case[1] if case else session.scalar(select(Account.customer_id).where(Account.id == account_id))
    )
    publish(
        session,
        EventKind.PAYMENT_APPLIED,
        payment_id,
        now,
        case_id=case[0] if case else None,
        customer_id=customer_id,
        data={
            "amount_minor": event.amount_minor,
            "currency": event.currency,
            "overdue_minor": overdue_minor,
            "external_id": event.payment_external_id,
            "invoice_external_id": event.invoice_external_id,
            "method": event.method,
            "received_at": event.received_at.isoformat(),
        },
    )


def _check_same_payment(session: Session, event: PaymentReceived, values: dict[str, object]) -> None:
    """A known payment id with different facts is a source-system bug; say so rather than guess."""
    existing = session.scalars(
        select(Payment).where(
            Payment.source_system == event.source_system, Payment.external_id == event.payment_external_id
        )
    ).one()
    for name in ("account_id", "currency", "amount_minor"):
        if getattr(existing, name) != values[name]:
            field = {"account_id": "account_external_id", "amount_minor": "amount"}.get(name, name)
            raise EventError(
                field,
                f"payment {event.payment_external_id!r} was already recorded with a different {field}",
                kind="conflict",
            )


def _allocate(
    session: Session,
    account_id: str,
    named: Invoice | None,
    event: PaymentReceived,
    now: datetime,
    applied: Applied,
) -> int:
    """Reduce balances (named invoice, then oldest due first).

    Returns what went to overdue invoices: that is what the case was chasing, so that is what it recovered.
    """
    open_invoices = list(
        session.scalars(
            select(Invoice)
            .where(
                Invoice.account_id == account_id,
                Invoice.currency == event.currency,
                Invoice.status == "open",
                Invoice.balance_minor > 0,
            )
            .order_by(Invoice.due_on, Invoice.issued_on, Invoice.id)
            .with_for_update()
        )
    )
    if named is not None:
        open_invoices = [named, *[i for i in open_invoices if i.id != named.id]]
    remaining, overdue_paid = event.amount_minor, 0
    for invoice in open_invoices:
        if remaining == 0:
            break
        if invoice.status != "open" or invoice.balance_minor == 0:
            continue
        take = min(remaining, invoice.balance_minor)
        invoice.balance_minor -= take
        if invoice.balance_minor == 0:
            invoice.status = "paid"
        invoice.updated_at = now
        remaining -= take
        if invoice.due_on < now.date():
            overdue_paid += take
        applied.note("invoice", invoice.id, ["balance_minor"])
    session.flush()
    return overdue_paid


def _keep_promises(session: Session, account_id: str, currency: str, now: datetime) -> None:
    """Promises (and plan instalments) on the account's open cases that the money received now keeps."""
    open_cases = session.scalars(
        select(Case.id).where(Case.account_id == account_id, Case.status != CaseStatus.CLOSED.value)
    ).all()
    if open_cases:
        keep_promises(session, account_id, currency, open_cases, now)
