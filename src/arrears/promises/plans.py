"""Promises and payment plans: a plan is a promise in monthly instalments, one promise row each.

Only one instalment is `pending` at a time, so everything that works a promise (the strategy's pause
until its date and the reminder the day before, breaking it after the grace days, keeping it when money
arrives) works a plan's instalments one after the other. The later ones wait as `scheduled`. Money is
counted against the plan as a whole: payments since the plan was agreed keep instalments in order, so
paying two at once keeps two. Breaking one instalment breaks the plan: the ones still scheduled are
cancelled and the case moves on, as after any broken promise.

Every promise made, kept or broken is published on the feed in the transaction that decides it.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from arrears.core.ids import new_id
from arrears.core.money import Money
from arrears.core.states import Transitions
from arrears.feed import EventKind, event_row, publish_rows
from arrears.store.models import Case, Payment, Promise


class PromiseStatus(StrEnum):
    PENDING = "pending"  # the promise (or plan instalment) being worked now
    SCHEDULED = "scheduled"  # a later instalment of a plan
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"  # replaced by a newer promise, or its case closed unpaid


TRANSITIONS = Transitions(
    "promise",
    {
        PromiseStatus.PENDING: frozenset({PromiseStatus.KEPT, PromiseStatus.BROKEN, PromiseStatus.CANCELLED}),
        PromiseStatus.SCHEDULED: frozenset(
            {PromiseStatus.PENDING, PromiseStatus.KEPT, PromiseStatus.CANCELLED}
        ),
    },
)
#: Promise states that are still owed: the instalment being worked and the ones after it.
OPEN = (PromiseStatus.PENDING.value, PromiseStatus.SCHEDULED.value)


def _from(status: PromiseStatus) -> list[str]:
    """Every status that may move to `status`, per the table: the WHERE clause of a set-based move."""
    return [old.value for old in TRANSITIONS.sources(status)]


def instalment_days(first: date, count: int, every_days: int | None = None) -> list[date]:
    """`count` dates from `first`: monthly on the same day of the month (or the month's last day), or
    `every_days` apart."""
    if count < 1:
        raise ValueError("a plan has at least one instalment")
    if every_days is not None:
        return [first + timedelta(days=every_days * n) for n in range(count)]
    days = []
    for n in range(count):
        month_index = first.month - 1 + n
        year, month = first.year + month_index // 12, month_index % 12 + 1
        days.append(date(year, month, min(first.day, calendar.monthrange(year, month)[1])))
    return days


def record_promise(
    session: Session,
    *,
    case_id: str,
    amount: Money,
    first_day: date,
    instalments: int,
    channel: str,
    now: datetime,
    every_days: int | None = None,
) -> str:
    """Replace the case's open promise or plan with this one; returns the id of the instalment now due.

    `amount` is each instalment's amount (the whole promise when `instalments` is 1); `every_days`: the
    plan's spacing (None: monthly).
    """
    cancel_open(session, [case_id], now)
    plan_id = new_id() if instalments > 1 else None
    rows = [
        {
            "id": new_id(),
            "case_id": case_id,
            "amount_minor": amount.minor,
            "currency": amount.currency,
            "due_on": day,
            "channel": channel,
            "status": (PromiseStatus.PENDING if n == 1 else PromiseStatus.SCHEDULED).value,
            "interaction_id": None,
            "created_at": now,
            "plan_id": plan_id,
            "instalment": n if plan_id else None,
            "instalments": instalments if plan_id else None,
        }
        for n, day in enumerate(instalment_days(first_day, instalments, every_days), start=1)
    ]
    session.execute(insert(Promise), rows)
    customer_id = session.scalar(select(Case.customer_id).where(Case.id == case_id))
    data: dict[str, Any] = {
        "amount_minor": amount.minor,
        "currency": amount.currency,
        "due_on": first_day.isoformat(),
        "instalments": instalments,
        "every_days": every_days,
        "plan_id": plan_id,
        "channel": channel,
    }
    publish_rows(
        session,
        [
            event_row(
                EventKind.PROMISE_MADE,
                str(rows[0]["id"]),
                now,
                case_id=case_id,
                customer_id=customer_id,
                data=data,
            )
        ],
    )
    return str(rows[0]["id"])


def keep_promises(
    session: Session, account_id: str, currency: str, case_ids: Sequence[str], now: datetime
) -> None:
    """Mark what the payments received so far keep, on these cases of the account; activate the next
    instalment of a plan whose current one is kept."""
    owed = session.scalars(
        select(Promise)
        .where(Promise.case_id.in_(case_ids), Promise.status.in_(OPEN), Promise.currency == currency)
        .order_by(Promise.case_id, Promise.instalment)
    ).all()
    plans: dict[str, list[Promise]] = {}
    for promise in owed:
        plans.setdefault(promise.plan_id or promise.id, []).append(promise)
    for parts in plans.values():
        started = min(p.created_at for p in parts)  # instalments share the plan's creation instant
        paid = session.scalar(
            select(func.coalesce(func.sum(Payment.amount_minor), 0)).where(
                Payment.account_id == account_id,
                Payment.currency == currency,
                Payment.received_at >= started,
            )
        )
        plan_id = parts[0].plan_id
        kept: int | None = 0
        if plan_id is not None:  # money that kept earlier instalments is in `paid` too
            kept = session.scalar(
                select(func.coalesce(func.sum(Promise.amount_minor), 0)).where(
                    Promise.plan_id == plan_id, Promise.status == PromiseStatus.KEPT.value
                )
            )
        newly_kept = _apply_paid(parts, int(paid or 0) - int(kept or 0), now)
        _publish(session, EventKind.PROMISE_KEPT, newly_kept, now)


def _apply_paid(parts: list[Promise], covered_minor: int, now: datetime) -> list[Promise]:
    """Keep instalments in order while the money covers them; the first one not covered is the one due."""
    kept = []
    for promise in parts:
        if covered_minor >= promise.amount_minor:
            covered_minor -= promise.amount_minor
            promise.status, promise.resolved_at = PromiseStatus.KEPT.value, now
            kept.append(promise)
            continue
        if promise.status == PromiseStatus.SCHEDULED.value:
            promise.status = PromiseStatus.PENDING.value
        break
    return kept


def break_promises(session: Session, promise_ids: Sequence[str], now: datetime) -> None:
    """The planner found these pending promises past their date and grace: broken, with their plans."""
    if not promise_ids:
        return
    broken = session.scalars(
        update(Promise)
        .where(Promise.id.in_(promise_ids), Promise.status.in_(_from(PromiseStatus.BROKEN)))
        .values(status=PromiseStatus.BROKEN.value, resolved_at=now)
        .returning(Promise)
    ).all()
    break_rest_of_plans(session, promise_ids, now)
    _publish(session, EventKind.PROMISE_BROKEN, broken, now)


def settle_for_cases(session: Session, case_ids: Sequence[str], *, kept: bool, now: datetime) -> None:
    """Cases close: their open promises are kept (the money they asked for arrived) or cancelled."""
    status = PromiseStatus.KEPT if kept else PromiseStatus.CANCELLED
    settled = session.scalars(
        update(Promise)
        .where(Promise.case_id.in_(case_ids), Promise.status.in_(_from(status)))
        .values(status=status.value, resolved_at=now)
        .returning(Promise)
    ).all()
    if kept:
        _publish(session, EventKind.PROMISE_KEPT, settled, now)


def cancel_open(session: Session, case_ids: Sequence[str], now: datetime) -> None:
    """A newer promise replaces the open one, or a person found the agent's promise wrong."""
    session.execute(
        update(Promise)
        .where(Promise.case_id.in_(case_ids), Promise.status.in_(_from(PromiseStatus.CANCELLED)))
        .values(status=PromiseStatus.CANCELLED.value, resolved_at=now)
    )


def link_interaction(session: Session, promise_id: str, interaction_id: str) -> None:
    """The conversation a promise was made in (its transcript), once the conversation has its row."""
    session.execute(update(Promise).where(Promise.id == promise_id).values(interaction_id=interaction_id))


def _publish(session: Session, kind: EventKind, promises: Sequence[Promise], now: datetime) -> None:
    if not promises:
        return
    customers = dict(
        session.execute(select(Case.id, Case.customer_id).where(Case.id.in_({p.case_id for p in promises})))
        .tuples()
        .all()
    )
    publish_rows(
        session,
        [
            event_row(
                kind,
                p.id,
                now,
                case_id=p.case_id,
                customer_id=customers.get(p.case_id),
                data={
                    "amount_minor": p.amount_minor,
                    "currency": p.currency,
                    "due_on": p.due_on.isoformat(),
                    "plan_id": p.plan_id,
                    "instalment": p.instalment,
                },
            )
            for p in promises
        ],
    )


def break_rest_of_plans(session: Session, broken_ids: Sequence[str], now: datetime) -> None:
    """A broken instalment breaks its plan: the instalments still scheduled will not be asked for."""
    plan_ids = select(Promise.plan_id).where(Promise.id.in_(broken_ids), Promise.plan_id.is_not(None))
    session.execute(
        update(Promise)
        .where(Promise.plan_id.in_(plan_ids), Promise.status == PromiseStatus.SCHEDULED.value)
        .values(status=PromiseStatus.CANCELLED.value, resolved_at=now)
    )
