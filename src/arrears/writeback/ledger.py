"""The write-back ledger: events a destination has not accepted yet (retrying, dead) and those accepted only
after a retry or a replay (delivered). An event delivered at the first try leaves no row: the cursor says it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from arrears.store.models import WritebackDelivery
from arrears.writeback.backoff import RetryPolicy, next_attempt

RETRYING, DEAD, DELIVERED = "retrying", "dead", "delivered"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one delivery attempt of one event answered (error None: delivered)."""

    event_id: str
    kind: str
    error: str | None = None
    refused: bool = False  # DeliveryRefused: dead at once
    retry_after: float | None = None


def due_retries(session: Session, destination: str, now: datetime, limit: int) -> list[str]:
    """Event ids whose next attempt is due, oldest first."""
    query = (
        select(WritebackDelivery.event_id)
        .where(
            WritebackDelivery.destination == destination,
            WritebackDelivery.status == RETRYING,
            WritebackDelivery.next_attempt_at <= now,
        )
        .order_by(WritebackDelivery.next_attempt_at, WritebackDelivery.event_id)
        .limit(limit)
    )
    return list(session.scalars(query))


def record(
    session: Session, destination: str, outcomes: Sequence[Outcome], policy: RetryPolicy, now: datetime
) -> None:
    """Write every attempt's outcome: failures become retrying (or dead), late successes delivered."""
    ids = [o.event_id for o in outcomes]
    rows = {
        r.event_id: r
        for r in session.scalars(
            select(WritebackDelivery).where(
                WritebackDelivery.destination == destination, WritebackDelivery.event_id.in_(ids)
            )
        )
    }
    for outcome in outcomes:
        row = rows.get(outcome.event_id)
        if outcome.error is None and row is None:
            continue  # first try worked: nothing to remember
        if row is None:
            row = WritebackDelivery(
                destination=destination,
                event_id=outcome.event_id,
                event_kind=outcome.kind,
                status=RETRYING,
                attempts=0,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
        _apply(row, outcome, policy, now)
    session.flush()


def _apply(row: WritebackDelivery, outcome: Outcome, policy: RetryPolicy, now: datetime) -> None:
    row.updated_at = now
    if outcome.error is None:
        row.status, row.delivered_at, row.next_attempt_at = DELIVERED, now, None
        return
    row.attempts += 1
    row.last_error = outcome.error[:1024]
    when = (
        None
        if outcome.refused
        else next_attempt(policy, row.event_id, row.attempts, outcome.retry_after, now)
    )
    row.status, row.next_attempt_at = (RETRYING, when) if when is not None else (DEAD, None)


def replay_dead(
    session: Session, now: datetime, *, destination: str | None = None, event_id: str | None = None
) -> int:
    """Dead letters back to retrying with a fresh allowance of attempts, due at once whatever the workers'
    clock (due since they were first recorded); returns how many."""
    query = update(WritebackDelivery).where(WritebackDelivery.status == DEAD)
    if destination is not None:
        query = query.where(WritebackDelivery.destination == destination)
    if event_id is not None:
        query = query.where(WritebackDelivery.event_id == event_id)
    result = session.execute(
        query.values(
            status=RETRYING, attempts=0, next_attempt_at=WritebackDelivery.created_at, updated_at=now
        ).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
