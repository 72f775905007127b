"""Storing an event in the inbox exactly once: (source, external_id) is the identity of a delivery.

A second delivery with the same identity inserts nothing and returns the row that is already there, so the
caller can tell a replay (same payload) from a conflict (different payload) without a race: the insert is
INSERT ... ON CONFLICT DO NOTHING on both databases, and a concurrent first delivery is waited for by the
database, never duplicated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.core.ids import idempotency_key
from arrears.events.schemas import Event
from arrears.events.upsert import insert_ignore
from arrears.store.models import InboxEvent


@dataclass(frozen=True)
class Stored:
    event: InboxEvent
    created: bool
    payload: dict[str, Any]

    @property
    def conflicts(self) -> bool:
        """The identity was already used for a different payload: a client bug, never applied."""
        return not self.created and self.event.payload != self.payload


def inbox_id(source: str, external_id: str) -> str:
    """Deterministic, so the same delivery has the same id in every database it is replayed into."""
    return idempotency_key("inbox", source, external_id)[:32]


def store_event(session: Session, *, source: str, external_id: str, event: Event, now: datetime) -> Stored:
    """Insert the event as pending unless this (source, external_id) is already stored (then a no-op)."""
    payload = event.payload()
    row_id = inbox_id(source, external_id)
    created = insert_ignore(
        session,
        InboxEvent,
        {
            "id": row_id,
            "source": source,
            "external_id": external_id,
            "kind": event.type,
            "payload": payload,
            "status": "pending",
            "received_at": now,
        },
        ("source", "external_id"),
    )
    row = session.scalars(
        select(InboxEvent).where(InboxEvent.source == source, InboxEvent.external_id == external_id)
    ).one()
    return Stored(row, created, payload)
