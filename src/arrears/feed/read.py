"""Reading the feed in commit order, with a cursor per consumer.

On PostgreSQL, events carry their writing transaction's id. Sequence numbers are handed out at insert
time, not commit time, so a reader that only compared `seq` could pass a number whose transaction has not
committed yet and never see it. A reader therefore takes only events of transactions older than every
transaction still running (`pg_snapshot_xmin`), in (txid, seq) order: nothing commits behind the cursor.
SQLite has one writer at a time, so `seq` order is commit order there. The horizon is the server's: a
long transaction anywhere on it delays what readers see (never loses it), so keep transactions short.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, literal, select, text, tuple_
from sqlalchemy.orm import Session

from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.models import DomainEvent, FeedCursor

Position = tuple[int, int]  # (txid, seq); txid is 0 on SQLite


@dataclass(frozen=True, slots=True)
class FeedEvent:
    position: Position
    id: str
    kind: str
    entity: str
    entity_id: str
    case_id: str | None
    customer_id: str | None
    data: dict[str, Any]
    occurred_at: datetime

    @classmethod
    def of(cls, row: DomainEvent) -> FeedEvent:
        """The event as consumers see it, from its stored row."""
        return cls(
            position=(int(row.txid or 0), int(row.seq)),
            id=row.id,
            kind=row.kind,
            entity=row.entity,
            entity_id=row.entity_id,
            case_id=row.case_id,
            customer_id=row.customer_id,
            data=dict(row.data or {}),
            occurred_at=row.occurred_at,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "case_id": self.case_id,
            "customer_id": self.customer_id,
            "data": self.data,
            "occurred_at": self.occurred_at.isoformat(),
            "position": f"{self.position[0]}:{self.position[1]}",
        }


def _ordered(session: Session, after: Position) -> Select[Any]:
    txid = DomainEvent.txid
    query = select(DomainEvent)
    if session.get_bind().dialect.name == "postgresql":
        visible = txid < text("(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint")
        later = tuple_(txid, DomainEvent.seq) > tuple_(literal(after[0]), literal(after[1]))
        return query.where(and_(visible, later)).order_by(txid, DomainEvent.seq)
    return query.where(DomainEvent.seq > after[1]).order_by(DomainEvent.seq)


def read_after(session: Session, after: Position, limit: int = 500) -> list[FeedEvent]:
    """Committed events after `after`, oldest first."""
    return [FeedEvent.of(row) for row in session.scalars(_ordered(session, after).limit(limit))]


def position_of(session: Session, consumer: str) -> Position:
    row = session.get(FeedCursor, consumer)
    return (int(row.txid), int(row.seq)) if row is not None else (0, 0)


def read(session: Session, consumer: str, limit: int = 500) -> list[FeedEvent]:
    """The next events for `consumer`; call `advance` in the transaction that handles them."""
    return read_after(session, position_of(session, consumer), limit)


def advance(session: Session, consumer: str, to: Position, now: datetime) -> None:
    """Move the consumer's cursor forward (never back): the events up to `to` are handled."""
    insert_ignoring_duplicates(
        session,
        FeedCursor.__table__,
        [{"consumer": consumer, "txid": 0, "seq": 0, "updated_at": now}],
        ["consumer"],
    )
    cursor = session.get(FeedCursor, consumer, with_for_update=True)
    assert cursor is not None
    if (int(cursor.txid), int(cursor.seq)) < to:
        cursor.txid, cursor.seq = to
        cursor.updated_at = now
    session.flush()
