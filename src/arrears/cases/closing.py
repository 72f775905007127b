"""Closing cases: one path for every reason, so a closed case never keeps work that is still open.

A case closes when it is settled (balance paid), or when a person decides (dispute upheld, written off).
In the same transaction: the balance shown is zero when settled, outreach not yet sent stops, open
promises are kept (settled) or cancelled, open tasks are closed with the reason, and `case.closed` is
published.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from arrears.cases.status import CaseStatus, CloseReason
from arrears.feed import EventKind, event_row, publish_rows
from arrears.outbox import cancel_for_cases
from arrears.promises import settle_for_cases
from arrears.store.models import Case
from arrears.tasks import Resolution
from arrears.tasks import cancel_for_cases as close_tasks_for_cases


def close_cases(session: Session, case_ids: Sequence[str], *, now: datetime, reason: str) -> int:
    """Close these open cases for `reason` (a CloseReason value); returns the actions stopped."""
    if not case_ids:
        return 0
    settled = reason == CloseReason.SETTLED.value
    rows = session.execute(
        select(Case.id, Case.customer_id, Case.balance_minor, Case.currency).where(
            Case.id.in_(case_ids), Case.status != CaseStatus.CLOSED.value
        )
    ).all()
    ids = [row.id for row in rows]
    if not ids:
        return 0
    values: dict[str, Any] = {
        "status": CaseStatus.CLOSED.value,
        "closed_at": now,
        "close_reason": reason,
        "next_action_at": None,
        "updated_at": now,
    }
    if settled:
        values["balance_minor"] = 0
    session.execute(update(Case).where(Case.id.in_(ids)).values(**values))
    settle_for_cases(session, ids, kept=settled, now=now)
    stopped = cancel_for_cases(session, ids)
    close_tasks_for_cases(session, ids, Resolution.CASE_CLOSED, note=f"case closed: {reason}", now=now)
    publish_rows(
        session,
        [
            event_row(
                EventKind.CASE_CLOSED,
                row.id,
                now,
                case_id=row.id,
                customer_id=row.customer_id,
                data={
                    "reason": reason,
                    "balance_minor": 0 if settled else row.balance_minor,
                    "currency": row.currency,
                },
            )
            for row in rows
        ],
    )
    return stopped


def opened_event(case: dict[str, Any], now: datetime) -> dict[str, Any]:
    """`case.opened` for a new case row; its id is the case's id (one opening per case, replay-safe)."""
    row = event_row(
        EventKind.CASE_OPENED,
        case["id"],
        now,
        case_id=case["id"],
        customer_id=case["customer_id"],
        data={
            "balance_minor": case["balance_minor"],
            "currency": case["currency"],
            "oldest_due_on": case["oldest_due_on"].isoformat(),
            "strategy": f"{case['strategy_name']}:{case['strategy_version']}",
        },
    )
    row["id"] = case["id"]
    return row
