"""What Stripe's events mean, applied from the inbox (one row per Stripe event id).

A paid Checkout Session and its PaymentIntent's `payment_intent.succeeded` are two events for one payment:
both become the same `payment.received` (payment id = the PaymentIntent id) applied by the billing path
the events API uses, so the payment counts once, pending outreach stops at once and promises are kept.
An early-payment discount paid in full before its link expired settles the invoices it covered. A refund
opens a task for a person (the domain has no refund: whether the money is owed again is a decision).
Events for payments Arrears did not ask for, and every other type, are stored and ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.cases.status import CaseStatus
from arrears.cases.sync import StrategyResolver
from arrears.core.money import format_minor
from arrears.events import InvoicePaid, PaymentReceived, apply_event
from arrears.inbox import Handler, PermanentError
from arrears.payments.offers import invoices_covered
from arrears.store.models import Account, Case, InboxEvent, Payment, PaymentLink
from arrears.tasks.service import TaskSpec, open_task

SOURCE = "stripe"
KIND = "stripe.event"
PAID_SESSION = ("checkout.session.completed", "checkout.session.async_payment_succeeded")


@dataclass(frozen=True, slots=True)
class Paid:
    """One payment, whichever of its events told us."""

    payment_intent: str
    amount_minor: int
    currency: str  # upper case, ISO 4217
    link_key: str | None
    received_at: datetime


def handlers(resolve_strategy: StrategyResolver) -> dict[str, Handler]:
    def stripe_event(session: Session, event: InboxEvent, now: datetime) -> Mapping[str, Any]:
        body = event.payload
        kind = str(body.get("type", ""))
        obj = (body.get("data") or {}).get("object") or {}
        created = datetime.fromtimestamp(int(body.get("created") or now.timestamp()), UTC)
        if kind in PAID_SESSION:
            if obj.get("payment_status") != "paid":
                return {"ignored": kind, "payment_status": obj.get("payment_status")}
            paid = _paid(obj, "payment_intent", "amount_total", created)
        elif kind == "payment_intent.succeeded":
            paid = _paid(obj, "id", "amount_received", created)
        elif kind == "charge.refunded":
            return _refunded(session, obj, now)
        else:
            return {"ignored": kind}
        return _apply_paid(session, event, paid, now, resolve_strategy)

    return {KIND: stripe_event}


def _paid(obj: Mapping[str, Any], pi_field: str, amount_field: str, created: datetime) -> Paid:
    pi = obj.get(pi_field)
    if isinstance(pi, Mapping):  # an expanded PaymentIntent
        pi = pi.get("id")
    if not isinstance(pi, str) or not pi:
        raise PermanentError(f"data.object.{pi_field}", "Stripe sent no PaymentIntent id")
    amount = obj.get(amount_field)
    if not isinstance(amount, int) or amount <= 0:
        raise PermanentError(f"data.object.{amount_field}", "Stripe sent no positive amount")
    currency = str(obj.get("currency") or "").upper()
    if len(currency) != 3:
        raise PermanentError("data.object.currency", "Stripe sent no currency")
    metadata = obj.get("metadata") or {}
    return Paid(pi, amount, currency, metadata.get("arrears_link_key"), created)


def _apply_paid(
    session: Session, event: InboxEvent, paid: Paid, now: datetime, resolve: StrategyResolver
) -> Mapping[str, Any]:
    link = (
        session.scalars(
            select(PaymentLink).where(
                PaymentLink.idempotency_key == paid.link_key, PaymentLink.provider == SOURCE
            )
        ).one_or_none()
        if paid.link_key
        else None
    )
    if link is None:
        return {"ignored": "not a payment Arrears asked for", "payment_intent": paid.payment_intent}
    case = session.get_one(Case, link.case_id)
    account = session.get_one(Account, case.account_id)
    payment = PaymentReceived(
        type="payment.received",
        source_system=account.source_system,
        payment_external_id=paid.payment_intent,
        account_external_id=account.external_id,
        currency=paid.currency,
        amount=format_minor(paid.amount_minor, paid.currency),
        received_at=paid.received_at,
        method="stripe",
    )
    known = session.scalar(
        select(Payment.amount_minor).where(
            Payment.source_system == account.source_system, Payment.external_id == paid.payment_intent
        )
    )
    if known == paid.amount_minor:  # the payment's other event, or a redelivery: applied already
        return {"duplicate": True, "payment_intent": paid.payment_intent, "case_id": case.id}
    result = dict(apply_event(session, _derived(event, payment.payload()), now, resolve))
    if link.paid_at is None:
        link.paid_at = now
    settled = _settle_discount(session, event, link, paid, now, resolve)
    return {**result, "payment_intent": paid.payment_intent, "case_id": case.id, "settled": settled}


def _settle_discount(
    session: Session,
    event: InboxEvent,
    link: PaymentLink,
    paid: Paid,
    now: datetime,
    resolve: StrategyResolver,
) -> list[str]:
    """An offer paid in full while it held: the invoices it covered are settled (the source system is
    told through write-back); paid late or short, the money counts and the balance stays."""
    if link.purpose != "offer" or paid.amount_minor < link.amount_minor or paid.received_at > link.expires_at:
        return []
    case = session.get_one(Case, link.case_id)
    settled = []
    for invoice in invoices_covered(session, link, case.account_id, _link_invoices(event)):
        settle = InvoicePaid(
            type="invoice.paid",
            source_system=invoice.source_system,
            invoice_external_id=invoice.external_id,
            paid_at=paid.received_at,
        )
        apply_event(session, _derived(event, settle.payload()), now, resolve)
        settled.append(invoice.external_id)
    return settled


def _refunded(session: Session, charge: Mapping[str, Any], now: datetime) -> Mapping[str, Any]:
    """A person decides what a refund means (a dispute lost, a goodwill gesture, a mistake)."""
    pi, charge_id = charge.get("payment_intent"), str(charge.get("id") or "")
    refunded = charge.get("amount_refunded")
    if not isinstance(pi, str) or not charge_id or not isinstance(refunded, int):
        raise PermanentError(
            "data.object", "a charge.refunded event needs id, payment_intent, amount_refunded"
        )
    payment = session.scalars(
        select(Payment).where(Payment.external_id == pi).order_by(Payment.received_at).limit(1)
    ).first()
    if payment is None:
        return {"ignored": "refund of a payment Arrears did not record", "payment_intent": pi}
    case_id = session.scalar(
        select(Case.id)
        .where(Case.account_id == payment.account_id)
        .order_by((Case.status == CaseStatus.CLOSED.value).asc(), Case.opened_at.desc())
        .limit(1)
    )
    amount = format_minor(refunded, payment.currency)
    task_id = open_task(
        session,
        TaskSpec(
            idempotency_key=f"stripe-refund:{charge_id}:{refunded}",
            case_id=case_id,
            reason="payment_refunded",
            summary=f"Stripe refunded {amount} {payment.currency} of payment {pi}. Decide whether the "
            "balance is owed again and, if so, re-open it in the billing system.",
            priority=2,
            context={"payment_intent": pi, "charge": charge_id, "amount_refunded_minor": refunded},
        ),
        actor=SOURCE,
        now=now,
    )
    return {"task_id": task_id, "payment_intent": pi}


def _link_invoices(event: InboxEvent) -> set[str]:
    obj = (event.payload.get("data") or {}).get("object") or {}
    listed = str((obj.get("metadata") or {}).get("arrears_invoices") or "")
    return {part for part in listed.split(",") if part}


def _derived(event: InboxEvent, payload: dict[str, Any]) -> InboxEvent:
    """The billing event a Stripe event stands for, applied under the Stripe event's id and source (never
    stored on its own: the Stripe event is the input, and its payment id makes a second event a no-op)."""
    return InboxEvent(id=event.id, source=SOURCE, kind=str(payload["type"]), payload=payload)
