"""The inbox stores every input once and applies it once, through the handler table; failures are kept,
explained, retried with backoff when time may cure them, and replayable."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.events.errors import EventError
from arrears.inbox import Handler, Inbox, InboxStatus, PermanentError
from arrears.store.models import AuditEntry, InboxEvent

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


class Ledger:
    """A handler table whose handlers write an audit row per application (so "applied once" is countable)
    and can be told to fail the way real handlers do."""

    def __init__(self) -> None:
        self.failure: Exception | None = None

    def table(self) -> dict[str, Handler]:
        def note(session: Session, event: InboxEvent, now: datetime) -> Mapping[str, Any]:
            session.add(
                AuditEntry(at=now, actor="test", action="applied", entity="inbox", entity_id=event.id)
            )
            session.flush()
            if self.failure is not None:
                raise self.failure
            return {"echo": event.payload.get("n")}

        return {"note": note}


def _applied(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _inbox(sessions: sessionmaker[Session], ledger: Ledger, clock: SimulatedClock) -> Inbox:
    return Inbox(sessions, clock, ledger.table())


def test_a_delivery_is_stored_once_and_a_changed_body_is_a_conflict(sessions: sessionmaker[Session]) -> None:
    inbox = _inbox(sessions, Ledger(), SimulatedClock(NOW))
    first = inbox.store(source="s", external_id="e1", kind="note", payload={"n": 1})
    again = inbox.store(source="s", external_id="e1", kind="note", payload={"n": 1})
    other = inbox.store(source="s", external_id="e1", kind="note", payload={"n": 2})
    assert first.created and not again.created and not again.conflicts and other.conflicts
    assert first.event.id == again.event.id
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboxEvent)) == 1


def test_the_worker_applies_pending_inputs_once(sessions: sessionmaker[Session]) -> None:
    inbox = _inbox(sessions, Ledger(), SimulatedClock(NOW))
    for n in range(3):
        inbox.store(source="s", external_id=f"e{n}", kind="note", payload={"n": n})
    assert inbox.apply_due() == 3
    assert inbox.apply_due() == 0
    with sessions() as session:
        assert _applied(session) == 3
        rows = session.scalars(select(InboxEvent).order_by(InboxEvent.external_id)).all()
        assert [(r.status, r.attempts, r.result) for r in rows] == [
            ("done", 1, {"echo": n}) for n in range(3)
        ]


def test_a_curable_failure_is_kept_explained_and_retried_with_backoff(
    sessions: sessionmaker[Session],
) -> None:
    ledger, clock = Ledger(), SimulatedClock(NOW)
    inbox = _inbox(sessions, ledger, clock)
    stored = inbox.store(source="s", external_id="e1", kind="note", payload={"n": 1})
    ledger.failure = EventError("account_external_id", "unknown account 'a9'", kind="unknown_account")
    assert inbox.apply_due() == 1
    with sessions() as session:
        row = session.get(InboxEvent, stored.event.id)
        assert row is not None and row.status == "failed" and row.attempts == 1
        assert row.error == "account_external_id: unknown account 'a9'"
        assert row.problem is not None and row.problem["errors"][0]["field"] == "account_external_id"
        assert row.next_attempt_at == NOW + timedelta(seconds=30)
        assert _applied(session) == 0  # the handler's work was rolled back with it
    clock.set(NOW + timedelta(seconds=29))
    assert inbox.apply_due() == 0  # not yet
    ledger.failure = None  # the invoice.created it was waiting for has arrived
    clock.set(NOW + timedelta(seconds=30))
    assert inbox.apply_due() == 1
    with sessions() as session:
        row = session.get(InboxEvent, stored.event.id)
        assert row is not None and (row.status, row.attempts, row.problem) == ("done", 2, None)
        assert _applied(session) == 1


def test_a_permanent_failure_waits_for_a_person_and_replay_queues_it(sessions: sessionmaker[Session]) -> None:
    ledger, clock = Ledger(), SimulatedClock(NOW)
    inbox = _inbox(sessions, ledger, clock)
    stored = inbox.store(source="s", external_id="e1", kind="note", payload={"n": 1})
    ledger.failure = PermanentError("Body", "Twilio sent no Body")
    inbox.apply_due()
    clock.set(NOW + timedelta(days=30))
    assert inbox.apply_due() == 0
    with sessions() as session:
        row = session.get(InboxEvent, stored.event.id)
        assert row is not None and row.status == "failed" and row.next_attempt_at is None
    ledger.failure = None
    assert inbox.replay([stored.event.id]) == 1
    assert inbox.apply_due() == 1
    with sessions() as session:
        assert session.scalars(select(InboxEvent.status)).one() == "done"


def test_an_unknown_kind_fails_without_retry(sessions: sessionmaker[Session]) -> None:
    inbox = _inbox(sessions, Ledger(), SimulatedClock(NOW))
    inbox.store(source="s", external_id="e1", kind="stripe.charge", payload={})
    inbox.apply_due()
    with sessions() as session:
        row = session.scalars(select(InboxEvent)).one()
        assert row.status == "failed" and row.next_attempt_at is None
        assert "no handler for 'stripe.charge'" in (row.error or "")


def test_retries_stop_after_the_last_delay(sessions: sessionmaker[Session]) -> None:
    ledger, clock = Ledger(), SimulatedClock(NOW)
    inbox = _inbox(sessions, ledger, clock)
    inbox.store(source="s", external_id="e1", kind="note", payload={})
    ledger.failure = RuntimeError("database hiccup")
    for _ in range(len(inbox.retry.delays) + 1):
        inbox.apply_due()
        clock.set(clock.now() + timedelta(days=2))
    with sessions() as session:
        row = session.scalars(select(InboxEvent)).one()
        assert row.attempts == len(inbox.retry.delays) + 1 and row.next_attempt_at is None


@pytest.mark.parametrize("fails", [False, True])
def test_an_input_answered_in_the_request_is_stored_whatever_happens(
    sessions: sessionmaker[Session], fails: bool
) -> None:
    ledger = Ledger()
    ledger.failure = RuntimeError("boom") if fails else None
    inbox = _inbox(sessions, ledger, SimulatedClock(NOW))
    applied = inbox.take_now(source="s", external_id="turn-1", kind="note", payload={"n": 7})
    assert applied.status is (InboxStatus.FAILED if fails else InboxStatus.DONE)
    with sessions() as session:
        row = session.scalars(select(InboxEvent)).one()
        assert row.status == applied.status.value
        assert _applied(session) == (0 if fails else 1)
    ledger.failure = None
    again = inbox.take_now(source="s", external_id="turn-1", kind="note", payload={"n": 7})
    assert again.status is InboxStatus.DONE and again.result == {"echo": 7}
    assert again.replayed is not fails  # a failed first try is tried again; a done one answers as before
    with sessions() as session:
        assert _applied(session) == 1
