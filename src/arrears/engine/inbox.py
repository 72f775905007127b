"""Apply stored inbox events in arrival order, each in its own transaction, each exactly once.

An event that fails is marked failed with its error (nothing it did is kept) and never blocks the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.cases.sync import StrategyResolver
from arrears.core.clock import Clock
from arrears.store.bulk import lock_skipping_locked
from arrears.store.db import transaction
from arrears.store.models import InboxEvent

log = logging.getLogger(__name__)

Handler = Callable[[Session, InboxEvent, Clock, StrategyResolver], None]
_HANDLERS: dict[str, Handler] = {}


def handles(*kinds: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for kind in kinds:
            _HANDLERS[kind] = handler
        return handler

    return register


def _source_event(session: Session, event: InboxEvent, clock: Clock, resolve: StrategyResolver) -> None:
    """Billing-system events (invoices, payments, customers) go through the events package."""
    from arrears.events.handler import apply_event

    apply_event(session, event, clock.now(), resolve)


def _handler_for(kind: str) -> Handler:
    if kind.startswith("message.") and kind not in _HANDLERS:
        from arrears.engine import inbound  # noqa: F401  (registers the conversation handlers)
    return _HANDLERS.get(kind, _source_event)


def process_inbox(
    sessions: sessionmaker[Session], clock: Clock, resolve: StrategyResolver, batch: int = 200
) -> int:
    processed = 0
    while True:
        with transaction(sessions) as session:
            query = (
                select(InboxEvent.id)
                .where(InboxEvent.status == "pending")
                .order_by(InboxEvent.received_at, InboxEvent.id)
                .limit(batch)
            )
            ids = list(session.scalars(lock_skipping_locked(session, query)))
        if not ids:
            return processed
        for event_id in ids:
            _apply_one(sessions, clock, resolve, event_id)
            processed += 1


def _apply_one(
    sessions: sessionmaker[Session], clock: Clock, resolve: StrategyResolver, event_id: str
) -> None:
    now = clock.now()
    try:
        with transaction(sessions) as session:
            query = select(InboxEvent).where(InboxEvent.id == event_id, InboxEvent.status == "pending")
            event = session.scalars(lock_skipping_locked(session, query)).one_or_none()
            if event is None:
                return  # another worker took it
            handler = _handler_for(event.kind)
            handler(session, event, clock, resolve)
            if event.status == "pending":
                event.status = "done"
                event.processed_at = now
    except Exception as exc:  # the event is bad, not the worker: record why and go on
        log.warning("event failed", extra={"event_id": event_id, "error": type(exc).__name__})
        with transaction(sessions) as session:
            session.execute(
                update(InboxEvent)
                .where(InboxEvent.id == event_id)
                .values(status="failed", error=f"{type(exc).__name__}: {exc}"[:2000], processed_at=now)
            )
