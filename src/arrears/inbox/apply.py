"""Applying stored inputs: each in its own transaction, through the one handler table, exactly once.

The worker applies pending inputs in arrival order and failed ones again when their retry time comes; an
input that must answer at once (a voice turn, a chat message) is applied by its request through the same
`apply_one`. A failing handler leaves nothing half-written (its transaction rolls back) and the input
stored and marked failed with its problem; a person can replay it (`arrears inbox replay`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import Clock
from arrears.inbox.errors import PermanentError, error_text, problem_for, retryable
from arrears.inbox.store import TRANSITIONS, InboxStatus, Stored, receive, requeue
from arrears.store.bulk import lock_skipping_locked
from arrears.store.db import transaction
from arrears.store.models import InboxEvent

log = logging.getLogger(__name__)

#: A handler applies one stored input inside the caller's transaction; what it returns is kept on the row
#: (the reply a redelivered webhook gets again).
Handler = Callable[[Session, InboxEvent, datetime], Mapping[str, Any] | None]
HandlerTable = Mapping[str, Handler]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to wait before applying a failed input again, by attempts made; then it waits for a person."""

    delays: tuple[timedelta, ...] = (
        timedelta(seconds=30),
        timedelta(minutes=2),
        timedelta(minutes=10),
        timedelta(hours=1),
        timedelta(hours=6),
        timedelta(hours=24),
    )

    def next_attempt(self, attempts: int, now: datetime) -> datetime | None:
        return now + self.delays[attempts - 1] if attempts <= len(self.delays) else None


@dataclass(frozen=True, slots=True)
class Applied:
    event_id: str
    status: InboxStatus
    result: Mapping[str, Any] | None = None
    problem: Mapping[str, Any] | None = None
    replayed: bool = False  # a redelivery of an input already applied: its stored answer


class Inbox:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        handlers: HandlerTable,
        retry: RetryPolicy = RetryPolicy(),
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.handlers = handlers
        self.retry = retry

    def apply_due(self, batch: int = 200) -> int:
        """Apply every pending input and every failed one whose retry time has come; returns how many this
        call applied (not those another worker took between the pick and the apply)."""
        applied = 0
        while True:
            now = self.clock.now()
            with transaction(self.sessions) as session:
                query = (
                    select(InboxEvent.id)
                    .where(_due(now))
                    .order_by(InboxEvent.received_at, InboxEvent.id)
                    .limit(batch)
                )
                ids = list(session.scalars(lock_skipping_locked(session, query)))
            if not ids:
                return applied
            for event_id in ids:
                applied += not self.apply_one(event_id).replayed

    def apply_one(self, event_id: str) -> Applied:
        """Apply one input unless it is done already (then its stored answer); never raises for the
        handler's errors: they are recorded on the row."""
        now = self.clock.now()
        kind = "unknown"
        try:
            with transaction(self.sessions) as session:
                event = session.scalars(
                    lock_skipping_locked(session, select(InboxEvent).where(InboxEvent.id == event_id))
                ).one_or_none()
                if event is None or event.status == InboxStatus.DONE.value:
                    return _stored(session, event_id)  # another worker has it, or had it
                kind = event.kind
                handler = self.handlers.get(kind)
                if handler is None:
                    raise PermanentError("type", f"no handler for {kind!r} on this server")
                return _mark_done(event, handler(session, event, now), now)
        except Exception as exc:  # the input is bad or the moment is: record why and go on
            with transaction(self.sessions) as session:
                failed = session.get(InboxEvent, event_id, with_for_update=True)
                if failed is None:
                    return Applied(event_id, InboxStatus.FAILED, problem=problem_for(exc, kind))
                return self._mark_failed(failed, exc, now)

    def store(self, *, source: str, external_id: str, kind: str, payload: dict[str, Any]) -> Stored:
        """Store an input for the worker to apply, committed when this returns (an entrance then
        answers 202: stored, not yet applied)."""
        with transaction(self.sessions) as session:
            return receive(
                session,
                source=source,
                external_id=external_id,
                kind=kind,
                payload=payload,
                now=self.clock.now(),
            )

    def take_now(self, *, source: str, external_id: str, kind: str, payload: dict[str, Any]) -> Applied:
        """Store an input that must be answered in the request and apply it in the same transaction (the
        handler in a savepoint): it is stored whatever happens, and applied at once or marked failed.
        A redelivery gets the stored answer, or a new attempt when the first one failed."""
        with transaction(self.sessions) as session:
            return self.take_in(session, source=source, external_id=external_id, kind=kind, payload=payload)

    def take_in(
        self, session: Session, *, source: str, external_id: str, kind: str, payload: dict[str, Any]
    ) -> Applied:
        """`take_now` inside the caller's transaction."""
        now = self.clock.now()
        stored = receive(session, source=source, external_id=external_id, kind=kind, payload=payload, now=now)
        event = stored.event
        if event.status == InboxStatus.DONE.value:
            return Applied(event.id, InboxStatus.DONE, event.result, replayed=True)
        handler = self.handlers.get(kind)
        try:
            if handler is None:
                raise PermanentError("type", f"no handler for {kind!r} on this server")
            with session.begin_nested():
                result = handler(session, event, now)
        except Exception as exc:
            return self._mark_failed(event, exc, now)
        return _mark_done(event, result, now)

    def replay(self, ids: Sequence[str] | None = None) -> int:
        """Put failed inputs back in the queue (all of them when `ids` is None); returns how many."""
        with transaction(self.sessions) as session:
            return requeue(session, ids)

    def _mark_failed(self, event: InboxEvent, exc: Exception, now: datetime) -> Applied:
        problem = problem_for(exc, event.kind)
        again = retryable(exc)
        log.warning(
            "inbox event failed",
            extra={"event_id": event.id, "kind": event.kind, "error": type(exc).__name__, "retry": again},
        )
        TRANSITIONS.check(event.id, InboxStatus(event.status), InboxStatus.FAILED)
        event.status, event.attempts, event.processed_at = InboxStatus.FAILED.value, event.attempts + 1, now
        event.error, event.problem = error_text(exc), problem
        event.next_attempt_at = self.retry.next_attempt(event.attempts, now) if again else None
        return Applied(event.id, InboxStatus.FAILED, problem=problem)


def _mark_done(event: InboxEvent, result: Mapping[str, Any] | None, now: datetime) -> Applied:
    TRANSITIONS.check(event.id, InboxStatus(event.status), InboxStatus.DONE)
    event.status, event.processed_at, event.attempts = InboxStatus.DONE.value, now, event.attempts + 1
    event.error, event.problem, event.next_attempt_at = None, None, None
    event.result = dict(result) if result else None
    return Applied(event.id, InboxStatus.DONE, event.result)


def _due(now: datetime) -> Any:
    return or_(
        InboxEvent.status == InboxStatus.PENDING.value,
        and_(
            InboxEvent.status == InboxStatus.FAILED.value,
            InboxEvent.next_attempt_at.is_not(None),
            InboxEvent.next_attempt_at <= now,
        ),
    )


def _stored(session: Session, event_id: str) -> Applied:
    event = session.get(InboxEvent, event_id)
    if event is None:
        return Applied(event_id, InboxStatus.FAILED, problem={"detail": f"no event {event_id}"})
    return Applied(event_id, InboxStatus(event.status), event.result, event.problem, replayed=True)
