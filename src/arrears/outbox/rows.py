"""Outbox rows outside the planner's and dispatcher's batches: queued once by key, stopped before they leave.

The planner writes its rows in bulk and the dispatcher moves them through leases (engine package); every
other writer (a payment link a customer asked for, a conversation's reply, a hold or an opt-out that stops
what was queued) comes through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from arrears.core.states import Transitions
from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.models import OutboxAction


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its time and a dispatcher
    REVIEW = "review"  # held for a person before it may leave
    LEASED = "leased"  # a dispatcher owns it and may be sending it now
    SENT = "sent"
    FAILED = "failed"  # definitely not sent, no retry left
    UNKNOWN = "unknown"  # the send was interrupted: asked of the provider, never resent blind
    CANCELLED = "cancelled"
    REFUSED = "refused"  # the contact gate said no at send time


_ = OutboxStatus
TRANSITIONS = Transitions(
    "outbox action",
    {
        _.PENDING: frozenset({_.LEASED, _.CANCELLED, _.REVIEW}),
        _.REVIEW: frozenset({_.PENDING, _.CANCELLED}),
        _.LEASED: frozenset({_.SENT, _.FAILED, _.PENDING, _.REFUSED, _.CANCELLED, _.UNKNOWN}),
        _.UNKNOWN: frozenset({_.SENT, _.PENDING, _.REVIEW, _.LEASED}),
    },
)
#: States that have not left the building yet and so can still be stopped.
STOPPABLE = (OutboxStatus.PENDING.value, OutboxStatus.REVIEW.value)


def queue_actions(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert actions unless their idempotency key is already queued (a replayed turn adds nothing)."""
    insert_ignoring_duplicates(session, OutboxAction.__table__, rows, ["idempotency_key"])


def cancel_for_cases(session: Session, case_ids: Sequence[str]) -> int:
    """Stop every action of these cases that has not left; returns how many."""
    if not case_ids:
        return 0
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(OutboxAction)
        .where(OutboxAction.case_id.in_(case_ids), OutboxAction.status.in_(STOPPABLE))
        .values(status=OutboxStatus.CANCELLED.value)
    )
    return int(result.rowcount or 0)


def cancel_for_customers(
    session: Session, customer_ids: Sequence[str], *, channel: str | None, destination: str | None
) -> int:
    """Stop what was queued for these customers on a channel (every channel when None), or only to one
    destination when given."""
    if not customer_ids:
        return 0
    query = update(OutboxAction).where(
        OutboxAction.customer_id.in_(customer_ids), OutboxAction.status.in_(STOPPABLE)
    )
    if channel is not None:
        query = query.where(OutboxAction.channel == channel)
    if destination is not None:
        query = query.where(OutboxAction.destination == destination)
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        query.values(status=OutboxStatus.CANCELLED.value)
    )
    return int(result.rowcount or 0)
