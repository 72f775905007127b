"""Storing an input in the inbox exactly once: (source, external_id) is the identity of a delivery.

A second delivery with the same identity inserts nothing and returns the row that is already there, so the
caller can tell a replay (same payload) from a conflict (different payload) without a race: the insert is
INSERT ... ON CONFLICT DO NOTHING on both databases, and a concurrent first delivery is waited for by the
database, never duplicated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, make_transient_to_detached

from arrears.core.ids import idempotency_key
from arrears.core.states import Transitions
from arrears.store.models import InboxEvent
from arrears.store.upsert import insert_ignore


class InboxStatus(StrEnum):
    PENDING = "pending"  # stored, waiting to be applied
    DONE = "done"  # applied
    FAILED = "failed"  # applying failed; tried again at next_attempt_at, or replayed by a person


TRANSITIONS = Transitions(
    "inbox event",
    {
        InboxStatus.PENDING: frozenset({InboxStatus.DONE, InboxStatus.FAILED}),
        InboxStatus.FAILED: frozenset({InboxStatus.DONE, InboxStatus.FAILED, InboxStatus.PENDING}),
    },
)


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


def receive(
    session: Session, *, source: str, external_id: str, kind: str, payload: dict[str, Any], now: datetime
) -> Stored:
    """Store the input as pending unless this (source, external_id) is already stored (then a no-op)."""
    values: dict[str, Any] = {
        "id": inbox_id(source, external_id),
        "source": source[:64],
        "external_id": external_id[:128],
        "kind": kind,
        "payload": payload,
        "status": InboxStatus.PENDING.value,
        "attempts": 0,
        "received_at": now,
    }
    if insert_ignore(session, InboxEvent, values, ("source", "external_id")):
        return Stored(_persistent(session, values), True, payload)
    return Stored(_existing(session, source, external_id), False, payload)


def take_once(session: Session, *, source: str, external_id: str, kind: str, now: datetime) -> Stored:
    """Note that an identity (a provider's message id) was taken in, whatever delivery carried it: `created`
    is False when it already was, so a redelivery under another delivery id is recognised too. The note is
    stored done (nothing applies it) and rolls back with the caller's transaction if that fails."""
    values: dict[str, Any] = {
        "id": inbox_id(source, external_id),
        "source": source[:64],
        "external_id": external_id[:128],
        "kind": kind,
        "payload": {},
        "status": InboxStatus.DONE.value,
        "attempts": 1,
        "received_at": now,
    }
    if insert_ignore(session, InboxEvent, values | {"processed_at": now}, ("source", "external_id")):
        return Stored(_persistent(session, values, processed_at=now), True, {})
    return Stored(_existing(session, source, external_id), False, {})


def _existing(session: Session, source: str, external_id: str) -> InboxEvent:
    query = select(InboxEvent).where(
        InboxEvent.source == source[:64], InboxEvent.external_id == external_id[:128]
    )
    return session.scalars(query).one()


def _persistent(session: Session, values: dict[str, Any], processed_at: datetime | None = None) -> InboxEvent:
    """The row just inserted, attached to the session without reading it back (a third of a store's
    statements): every column is known, the rest are null."""
    unset = dict.fromkeys(("error", "next_attempt_at", "problem", "result"))
    row = InboxEvent(**values, **unset, processed_at=processed_at)
    make_transient_to_detached(row)
    session.add(row)
    return row


def requeue(session: Session, ids: Sequence[str] | None = None) -> int:
    """Failed inputs back to pending (all of them when `ids` is None): a person fixed the cause."""
    again = [status.value for status in TRANSITIONS.sources(InboxStatus.PENDING)]
    query = update(InboxEvent).where(InboxEvent.status.in_(again))
    if ids is not None:
        query = query.where(InboxEvent.id.in_(list(ids)))
    result = session.execute(query.values(status=InboxStatus.PENDING.value, next_attempt_at=None))
    return int(getattr(result, "rowcount", 0) or 0)
