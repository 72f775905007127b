"""Sending the daily summary once per (day, recipient), however many workers run.

The "sent" marker is a row in the inbox table, whose unique (source, external_id) is the store's own
once-only guarantee (no new table): a worker first claims (day, recipient) by inserting that row, sends
only if the row it reads back carries its own claim, and stamps it processed once the channel took the
message. A failed send removes the claim so a later pass tries again; a claim left by a worker that died
mid-send is taken over after `STALE_CLAIM`, and sent again under the same idempotency key (the e-mail's
Message-ID), so the relay or the reader can recognise the repeat.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.channels.base import Channel, ChannelError, DeliveryStatus, OutboundMessage
from arrears.core.clock import Clock
from arrears.core.ids import idempotency_key
from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.db import transaction
from arrears.store.models import InboxEvent
from arrears.summary.load import load_summary
from arrears.summary.render import SummaryEmail, render_summary

log = logging.getLogger(__name__)
SOURCE = "daily-summary"
KIND = "summary.sent"
STALE_CLAIM = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class SummaryConfig:
    recipients: tuple[str, ...]
    hour: int  # local hour after which yesterday's summary goes out
    time_zone: str
    locale: str
    business: str


def summary_key(day: date, recipient: str) -> str:
    """The idempotency key of one summary: the same for every worker and every retry of that day."""
    return idempotency_key("daily-summary", day.isoformat(), recipient.lower())


class DailySummary:
    """Builds, shows and sends the summary; `tick` is the worker's once-a-day hook."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, channel: Channel, config: SummaryConfig
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.channel = channel
        self.config = config
        self._done: date | None = None  # the last day this process saw fully sent

    def due_day(self, now: datetime) -> date | None:
        """Yesterday (local), once the local clock has passed the summary hour; None before."""
        local = now.astimezone(ZoneInfo(self.config.time_zone))
        return local.date() - timedelta(days=1) if local.hour >= self.config.hour else None

    def tick(self) -> int:
        """Send the due summary if this process has not yet seen it sent; returns the e-mails sent."""
        if not self.config.recipients:
            return 0
        day = self.due_day(self.clock.now())
        if day is None or day == self._done:
            return 0
        sent, complete = self._send(day)
        if complete:
            self._done = day
        return sent

    def render(self, day: date) -> SummaryEmail:
        with self.sessions() as session:
            summary = load_summary(session, day, self.config.time_zone)
        return render_summary(summary, self.config.locale, self.config.business)

    def send(self, day: date) -> int:
        """Send `day`'s summary to every recipient that has not had it; returns how many were sent now."""
        return self._send(day)[0]

    def _send(self, day: date) -> tuple[int, bool]:
        email: SummaryEmail | None = None
        sent, complete = 0, True
        for recipient in self.config.recipients:
            key = summary_key(day, recipient)
            if not self._claim(key, day):
                continue
            email = email or self.render(day)
            if self._deliver(key, recipient, email):
                sent += 1
            else:
                complete = False
        log.info("daily summary", extra={"day": day.isoformat(), "sent": sent})
        return sent, complete

    def _claim(self, key: str, day: date) -> bool:
        token, now = uuid.uuid4().hex, self.clock.now()
        with transaction(self.sessions) as session:
            row = {
                "source": SOURCE,
                "external_id": key,
                "kind": KIND,
                "payload": {"day": day.isoformat(), "claim": token},
                "status": "done",
                "received_at": now,
            }
            insert_ignoring_duplicates(session, InboxEvent.__table__, [row], ["source", "external_id"])
            found = session.execute(
                select(
                    InboxEvent.id, InboxEvent.payload, InboxEvent.processed_at, InboxEvent.received_at
                ).where(InboxEvent.source == SOURCE, InboxEvent.external_id == key)
            ).one()
            if found.payload.get("claim") == token:
                return True
            if found.processed_at is not None or _aware(found.received_at) > now - STALE_CLAIM:
                return False  # sent already, or another worker is sending it right now
            taken = session.execute(  # a claim left by a worker that died mid-send: take it over
                update(InboxEvent)
                .where(InboxEvent.id == found.id, InboxEvent.processed_at.is_(None))
                .where(InboxEvent.received_at == found.received_at)
                .values(payload={"day": day.isoformat(), "claim": token}, received_at=now)
            )
            return bool(getattr(taken, "rowcount", 0))

    def _deliver(self, key: str, recipient: str, email: SummaryEmail) -> bool:
        message = OutboundMessage(
            idempotency_key=key,
            channel="email",
            destination=recipient,
            body=email.text,
            subject=email.subject,
            html=email.html,
            sent_at=self.clock.now(),
            sender_name=self.config.business,
        )
        try:
            result = self.channel.send(message)
            ok, provider_id = result.status is DeliveryStatus.SENT, result.provider_id
        except ChannelError:
            ok, provider_id = False, None
        with transaction(self.sessions) as session:
            where = (InboxEvent.source == SOURCE, InboxEvent.external_id == key)
            if ok:
                done = {"provider_id": provider_id}
                session.execute(
                    update(InboxEvent).where(*where).values(processed_at=self.clock.now(), result=done)
                )
            else:
                session.execute(delete(InboxEvent).where(*where))  # not sent: a later pass tries again
                log.warning("daily summary not sent; will retry", extra={"key": key})
        return ok


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
