"""The cases a batch of events is about, as they stand now: one query for the whole batch.

A CRM wants today's balance and stage, not the ones of the hour the event happened, so the snapshot is read
when the batch is delivered. The customer's email and phone are the primary usable ones (never an address
marked undeliverable); the promise is the next one still pending.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ScalarSelect, and_, select
from sqlalchemy.orm import Session, aliased

from arrears.store.models import Account, Case, ContactPoint, Customer, Promise
from arrears.writeback.base import CaseSnapshot

_OPEN_PROMISES = ("pending", "scheduled")


def _contact(channel: str) -> ScalarSelect[str]:
    return (
        select(ContactPoint.value)
        .where(
            ContactPoint.customer_id == Customer.id,
            ContactPoint.channel == channel,
            ContactPoint.undeliverable_at.is_(None),
        )
        .order_by(ContactPoint.is_primary.desc(), ContactPoint.created_at, ContactPoint.id)
        .limit(1)
        .correlate(Customer)
        .scalar_subquery()
    )


def _next_promise() -> ScalarSelect[str]:
    other = aliased(Promise)
    return (
        select(other.id)
        .where(other.case_id == Case.id, other.status.in_(_OPEN_PROMISES))
        .order_by(other.due_on, other.id)
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )


def load_snapshots(session: Session, case_ids: Iterable[str], now: datetime) -> dict[str, CaseSnapshot]:
    """Snapshots by case id; a case that no longer exists is simply absent."""
    wanted = sorted(set(case_ids))
    if not wanted:
        return {}
    query = (
        select(Case, Customer, Account.external_id, _contact("email"), _contact("phone"), Promise)
        .join(Customer, Customer.id == Case.customer_id)
        .join(Account, Account.id == Case.account_id)
        .outerjoin(Promise, and_(Promise.id == _next_promise()))
        .where(Case.id.in_(wanted))
    )
    snapshots: dict[str, CaseSnapshot] = {}
    for case, customer, account_ref, email, phone, promise in session.execute(query).tuples():
        snapshots[case.id] = CaseSnapshot(
            case_id=case.id,
            customer_id=customer.id,
            customer_external_id=customer.external_id,
            source_system=customer.source_system,
            customer_name=customer.name,
            customer_email=email,
            customer_phone=phone,
            account_external_id=account_ref,
            status=case.status,
            stage=case.stage,
            currency=case.currency,
            balance_minor=case.balance_minor,
            recovered_minor=case.recovered_minor,
            days_overdue=max((now.date() - case.oldest_due_on).days, 0),
            promise_due_on=promise.due_on if promise else None,
            promise_amount_minor=promise.amount_minor if promise else None,
            owner=customer.owner,
            opened_at=case.opened_at,
        )
    return snapshots
