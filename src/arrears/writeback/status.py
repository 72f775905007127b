"""What `arrears writeback status|dead` shows: how far each destination is, and what it refused."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.orm import Session

from arrears.feed.read import Position, position_of
from arrears.store.models import DomainEvent, FeedCursor, WritebackDelivery
from arrears.writeback.ledger import DEAD, RETRYING


@dataclass(frozen=True, slots=True)
class DestinationStatus:
    destination: str
    position: Position
    behind: int  # events past the cursor (of every kind: a filtered-out kind still has to be read past)
    retrying: int
    dead: int
    oldest_dead: datetime | None
    lease_owner: str | None

    def to_json(self) -> dict[str, object]:
        return {
            "destination": self.destination,
            "position": f"{self.position[0]}:{self.position[1]}",
            "behind": self.behind,
            "retrying": self.retrying,
            "dead": self.dead,
            "oldest_dead": self.oldest_dead.isoformat() if self.oldest_dead else None,
            "lease_owner": self.lease_owner,
        }


def ledger_destinations(session: Session) -> list[str]:
    return list(session.scalars(select(WritebackDelivery.destination).distinct()))


def _behind(session: Session, position: Position) -> int:
    query = select(func.count()).select_from(DomainEvent)
    if session.get_bind().dialect.name == "postgresql":
        later = tuple_(DomainEvent.txid, DomainEvent.seq) > tuple_(literal(position[0]), literal(position[1]))
        return int(session.scalar(query.where(later)) or 0)
    return int(session.scalar(query.where(DomainEvent.seq > position[1])) or 0)


def statuses(session: Session, names: Iterable[str]) -> list[DestinationStatus]:
    counts = {
        (d, s): (n, oldest)
        for d, s, n, oldest in session.execute(
            select(
                WritebackDelivery.destination,
                WritebackDelivery.status,
                func.count(),
                func.min(WritebackDelivery.updated_at),
            ).group_by(WritebackDelivery.destination, WritebackDelivery.status)
        ).tuples()
    }
    shown = []
    for name in sorted(set(names)):
        position = position_of(session, name)
        cursor = session.get(FeedCursor, name)
        dead, oldest = counts.get((name, DEAD), (0, None))
        retrying = counts.get((name, RETRYING), (0, None))[0]
        owner = cursor.lease_owner if cursor is not None else None
        shown.append(
            DestinationStatus(name, position, _behind(session, position), retrying, dead, oldest, owner)
        )
    return shown


def dead_letters(session: Session, destination: str | None, limit: int) -> list[WritebackDelivery]:
    """Dead letters, the oldest first."""
    query = select(WritebackDelivery).where(WritebackDelivery.status == DEAD)
    if destination is not None:
        query = query.where(WritebackDelivery.destination == destination)
    return list(
        session.scalars(query.order_by(WritebackDelivery.updated_at, WritebackDelivery.id).limit(limit))
    )
