"""Invoices become overdue by the calendar alone, with no event to say so: a daily sweep notices.

Imports and events sync the accounts they touch, but an invoice imported before its due date needs no case
then, and gets one only when the day passes. The worker sweeps once per UTC day for invoices that fell due
since its last sweep (and, when it starts, for any overdue balance that has no case at all).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from arrears.store.models import Case, Invoice


def newly_overdue_accounts(session: Session, since: date, today: date) -> list[str]:
    """Accounts with an unpaid invoice whose due date fell in [since, today)."""
    query = (
        select(Invoice.account_id)
        .where(
            Invoice.status == "open",
            Invoice.balance_minor > 0,
            Invoice.due_on >= since,
            Invoice.due_on < today,
        )
        .distinct()
    )
    return list(session.scalars(query))


def overdue_without_case(session: Session, today: date) -> list[str]:
    """Accounts with an overdue balance and no case open: the start-up safety net."""
    open_case = and_(Case.account_id == Invoice.account_id, Case.status != "closed")
    query = (
        select(Invoice.account_id)
        .outerjoin(Case, open_case)
        .where(Invoice.status == "open", Invoice.balance_minor > 0, Invoice.due_on < today, Case.id.is_(None))
        .distinct()
    )
    return list(session.scalars(query))
