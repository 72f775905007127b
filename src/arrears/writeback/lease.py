"""One reader per destination at a time, across every worker: a lease on the destination's feed cursor.

Taking the lease is one conditional UPDATE (free, already ours, or expired), so two workers racing for it on
PostgreSQL cannot both win: the second re-reads the row the first committed and no longer matches. A worker
that dies keeps the lease until it expires; the next one then takes it over and redelivers what was not
recorded, with the same event ids (at-least-once, made effectively once by the idempotency key).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import CursorResult, or_, update
from sqlalchemy.orm import Session

from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.models import FeedCursor


def take_lease(session: Session, consumer: str, owner: str, now: datetime, seconds: float) -> bool:
    """Whether `owner` holds the consumer's lease until now + seconds (the cursor row is made if new)."""
    insert_ignoring_duplicates(
        session,
        FeedCursor.__table__,
        [{"consumer": consumer, "txid": 0, "seq": 0, "updated_at": now}],
        ["consumer"],
    )
    taken = session.execute(
        update(FeedCursor)
        .where(
            FeedCursor.consumer == consumer,
            or_(
                FeedCursor.lease_owner.is_(None),
                FeedCursor.lease_owner == owner,
                FeedCursor.lease_expires_at < now,
            ),
        )
        .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    )
    assert isinstance(taken, CursorResult)
    return taken.rowcount == 1


def holds_lease(session: Session, consumer: str, owner: str) -> bool:
    """Whether `owner` still holds the lease, the row locked until the caller's transaction ends."""
    cursor = session.get(FeedCursor, consumer, with_for_update=True, populate_existing=True)
    return cursor is not None and cursor.lease_owner == owner


def release_lease(session: Session, consumer: str, owner: str) -> None:
    """Give the lease up (only if still ours), so the next pass of any worker can take it at once."""
    session.execute(
        update(FeedCursor)
        .where(FeedCursor.consumer == consumer, FeedCursor.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
