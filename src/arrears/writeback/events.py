"""Events by id, for retries: the ledger keeps ids, the feed keeps the events."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.feed import FeedEvent
from arrears.store.models import DomainEvent


def events_by_id(session: Session, ids: Sequence[str]) -> list[FeedEvent]:
    """The events with these ids, in the order of `ids` (an id no longer in the feed is skipped)."""
    if not ids:
        return []
    rows = {row.id: row for row in session.scalars(select(DomainEvent).where(DomainEvent.id.in_(ids)))}
    return [FeedEvent.of(row) for row in (rows.get(i) for i in ids) if row is not None]
