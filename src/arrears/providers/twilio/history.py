"""What the Twilio channels need to know from our own records, read in short sessions of their own.

The channels hold no database session: a send runs with no transaction open (the dispatcher's rule), so
each question here opens a session, reads, and closes it before any HTTP call is made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.providers.twilio.whatsapp import WINDOW
from arrears.store.models import InboxEvent, OutboxAction

#: The last inbound WhatsApp message from this number (E.164, no prefix) within 24 hours of `now`.
LastInbound = Callable[[str, datetime], datetime | None]


@dataclass(frozen=True, slots=True)
class SendRecord:
    """What we know of a send whose outcome is unknown: to whom, since when, and which provider ids of
    sends to the same number are already accounted for (so they are not mistaken for this one)."""

    destination: str
    since: datetime
    known: frozenset[str]


Recall = Callable[[str], SendRecord | None]


def last_inbound_whatsapp(sessions: sessionmaker[Session]) -> LastInbound:
    """Reads the inbox, where every verified inbound Twilio message is stored once, when it arrived."""

    def read(number: str, now: datetime) -> datetime | None:
        sender = number if number.startswith("whatsapp:") else f"whatsapp:{number}"
        with sessions() as session:
            at: datetime | None = session.scalar(
                select(func.max(InboxEvent.received_at)).where(
                    InboxEvent.source == "twilio",
                    InboxEvent.kind == "twilio.message",
                    InboxEvent.received_at >= now - WINDOW,
                    InboxEvent.payload["From"].as_string() == sender,
                )
            )
        return at

    return read


def recall_send(sessions: sessionmaker[Session], margin: timedelta = timedelta(days=2)) -> Recall:
    """The outbox row behind an idempotency key, and the provider ids of the other sends to its number."""

    def read(idempotency_key: str) -> SendRecord | None:
        with sessions() as session:
            row = session.execute(
                select(OutboxAction.destination, OutboxAction.created_at).where(
                    OutboxAction.idempotency_key == idempotency_key
                )
            ).first()
            if row is None or not row.destination:
                return None
            known = session.scalars(
                select(OutboxAction.provider_id).where(
                    OutboxAction.destination == row.destination,
                    OutboxAction.provider_id.is_not(None),
                    OutboxAction.idempotency_key != idempotency_key,
                    OutboxAction.created_at >= row.created_at - margin,
                )
            ).all()
        return SendRecord(row.destination, row.created_at, frozenset(str(sid) for sid in known))

    return read
