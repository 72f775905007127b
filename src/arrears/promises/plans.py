"""Promises and payment plans: a plan is a promise in monthly instalments, one promise row each.

Only one instalment is `pending` at a time, so everything that works a promise (the strategy's pause
until its date and the reminder the day before, breaking it after the grace days, keeping it when money
arrives) works a plan's instalments one after the other. The later ones wait as `scheduled`. Money is
counted against the plan as a whole: payments since the plan was agreed keep instalments in order, so
paying two at once keeps two. Breaking one instalment breaks the plan: the ones still scheduled are
cancelled and the case moves on, as after any broken promise.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from arrears.core.ids import new_id
from arrears.core.money import Money
from arrears.store.models import Payment, Promise

#: Promise states that are still owed: the instalment being worked and the ones after it.
OPEN = ("pending", "scheduled")


def instalment_days(first: date, count: int) -> list[date]:
    """`count` monthly dates from `first`, on the same day of the month, or the month's last day."""
    if count < 1:
        raise ValueError("a plan has at least one instalment")
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
) -> str:
    """Replace the case's open promise or plan with this one; returns the id of the instalment now due.

    `amount` is each instalment's amount (the whole promise when `instalments` is 1).
    """
    session.execute(
        update(Promise)
        .where(Promise.case_id == case_id, Promise.status.in_(OPEN))
        .values(status="cancelled", resolved_at=now)
    )
    plan_id = new_id() if instalments > 1 else None
    rows = [
        {
            "id": new_id(),
            "case_id": case_id,
            "amount_minor": amount.minor,
            "currency": amount.currency,
            "due_on": day,
            "channel": channel,
            "status": "pending" if n == 1 else "scheduled",
            "interaction_id": None,
            "created_at": now,
            "plan_id": plan_id,
            "instalment": n if plan_id else None,
            "instalments": instalments if plan_id else None,
        }
        for n, day in enumerate(instalment_days(first_day, instalments), start=1)
    ]
    session.execute(insert(Promise), rows)
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
                    Promise.plan_id == plan_id, Promise.status == "kept"
                )
            )
        _apply_paid(parts, int(paid or 0) - int(kept or 0), now)


def _apply_paid(parts: list[Promise], covered_minor: int, now: datetime) -> None:
    """Keep instalments in order while the money covers them; the first one not covered is the one due."""
    for promise in parts:
        if covered_minor >= promise.amount_minor:
            covered_minor -= promise.amount_minor
            promise.status, promise.resolved_at = "kept", now
            continue
        if promise.status == "scheduled":
            promise.status = "pending"
        return


def break_rest_of_plans(session: Session, broken_ids: Sequence[str], now: datetime) -> None:
    """A broken instalment breaks its plan: the instalments still scheduled will not be asked for."""
    plan_ids = select(Promise.plan_id).where(Promise.id.in_(broken_ids), Promise.plan_id.is_not(None))
    session.execute(
        update(Promise)
        .where(Promise.plan_id.in_(plan_ids), Promise.status == "scheduled")
        .values(status="cancelled", resolved_at=now)
    )
