"""Sends whose outcome a crash made unknown: reconciled or reviewed as the case's strategy says, never resent
blind, the provider asked outside any database transaction, and the validation notice still sent."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.channels.base import DeliveryResult, OutboundMessage
from arrears.core.clock import SimulatedClock
from arrears.engine.reconcile import confirm_sent
from arrears.providers.local.sinks import local_channels
from arrears.store.models import AuditEntry, OutboxAction, Task
from arrears.strategy.schema import RetrySettings
from tests.engine.exactly_once_support import (
    NOTICE,
    START,
    Hooked,
    full_gate,
    hooked,
    make_dispatcher,
    plan,
    seed_us,
    sent_interactions,
    sink_contacts,
    sink_keys,
    statuses,
)


class Crash(BaseException):
    """The process dies here: nothing after this line of the dispatcher runs."""


def _crash_after_first_send(sessions: sessionmaker[Session], clock: SimulatedClock, outbox: Path) -> str:
    """Worker A sends one first contact, the provider accepts it, and A dies before recording it."""

    def die(message: OutboundMessage) -> None:
        raise Crash(message.idempotency_key)

    worker = make_dispatcher(sessions, clock, hooked(local_channels(outbox), after=die), full_gate(), "a")
    with pytest.raises(Crash) as crash:
        worker.run_once()
    key = str(crash.value)
    with sessions() as session:
        row = session.scalars(select(OutboxAction).where(OutboxAction.idempotency_key == key)).one()
    assert row.status == "leased" and row.lease_owner == "a", "the kill landed between accept and record"
    assert sink_keys(outbox)[key] == 1
    return key


def _setup(sessions: sessionmaker[Session], cases: int) -> SimulatedClock:
    clock = SimulatedClock(START)
    seed_us(sessions, START, cases)
    plan(sessions, clock, full_gate())
    return clock


def test_a_send_accepted_before_a_crash_is_recorded_once_and_its_notice_is_sent(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = _setup(sessions, 3)
    key = _crash_after_first_send(sessions, clock, tmp_path)
    recovery = make_dispatcher(sessions, clock, local_channels(tmp_path), full_gate(), "b")
    clock.advance(timedelta(minutes=30))
    assert recovery.run_until_idle().reconciled == 0, "asked before the strategy's reconcile_after_minutes"
    clock.advance(timedelta(minutes=32))
    stats = recovery.run_until_idle()

    assert stats.reconciled == 3  # one confirmed sent, two confirmed never sent (requeued and sent)
    assert max(sink_keys(tmp_path).values()) == 1 and sink_keys(tmp_path)[key] == 1
    contacts = sink_contacts(tmp_path, sessions)
    assert sorted(contacts.values()) == [1] * 6
    assert sorted(step for _, step, _ in contacts) == ["reminder-email"] * 3 + [NOTICE] * 3
    assert set(statuses(sessions)) == {"sent"}
    assert max(sent_interactions(sessions).values()) == 1
    with sessions() as session:
        row = session.scalars(select(OutboxAction).where(OutboxAction.idempotency_key == key)).one()
        notice = session.scalars(
            select(OutboxAction).where(OutboxAction.case_id == row.case_id, OutboxAction.step_id == NOTICE)
        ).one()
        audit = session.scalars(select(AuditEntry.data).where(AuditEntry.entity_id == row.id)).all()
    assert notice.payload["first_contact_id"] == row.id
    assert notice.payload["validation_period_end"] == row.payload["decision"]["validation_period_end"]
    assert {"channel": "email", "provider_id": key, "reconciled": True} in audit


def test_a_provider_that_cannot_tell_sends_the_row_to_review_with_one_task(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = _setup(sessions, 1)
    key = _crash_after_first_send(sessions, clock, tmp_path)
    channels = hooked(local_channels(tmp_path), lookup=lambda _key: None)
    recovery = make_dispatcher(sessions, clock, channels, full_gate(), "b")
    clock.advance(timedelta(minutes=62))
    recovery.run_until_idle()
    clock.advance(timedelta(days=1))
    recovery.run_until_idle()

    with sessions() as session:
        row = session.scalars(select(OutboxAction).where(OutboxAction.idempotency_key == key)).one()
        tasks = session.scalars(select(Task)).all()
    assert row.status == "review" and row.lease_owner is None
    assert [(t.reason, t.context["outbox_id"], t.context["asked_provider"]) for t in tasks] == [
        ("delivery_unknown", row.id, True)
    ]
    assert channels["email"].lookups == [key] and channels["email"].sent == []
    assert sink_keys(tmp_path) == {key: 1}, "nothing resent, and no notice for a send nobody can confirm"


def test_a_person_who_confirms_the_send_gets_it_recorded_with_its_notice(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = _setup(sessions, 1)
    key = _crash_after_first_send(sessions, clock, tmp_path)
    channels = hooked(local_channels(tmp_path), lookup=lambda _key: None)
    recovery = make_dispatcher(sessions, clock, channels, full_gate(), "b")
    clock.advance(timedelta(minutes=62))
    recovery.run_until_idle()
    row_id = _row_id(sessions, key)
    with sessions.begin() as session:
        assert confirm_sent(session, row_id, actor="ops@example.com", now=clock.now())
    with sessions.begin() as session:
        assert not confirm_sent(session, row_id, actor="ops@example.com", now=clock.now())
    recovery.run_until_idle()

    assert statuses(sessions) == {"sent": 2}
    assert sink_keys(tmp_path)[key] == 1
    assert sorted(s for _, s, _ in sink_contacts(tmp_path, sessions)) == ["reminder-email", NOTICE]
    assert sent_interactions(sessions)[row_id] == 1


def _row_id(sessions: sessionmaker[Session], key: str) -> str:
    with sessions() as session:
        return str(session.scalar(select(OutboxAction.id).where(OutboxAction.idempotency_key == key)))


def test_on_unknown_review_goes_to_a_person_without_asking_the_provider(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = _setup(sessions, 2)
    key = _crash_after_first_send(sessions, clock, tmp_path)
    channels = hooked(local_channels(tmp_path))
    review = RetrySettings(on_unknown="review")
    recovery = make_dispatcher(sessions, clock, channels, full_gate(), "b", retry=review)
    clock.advance(timedelta(minutes=2))  # the lease ran out; no reconcile grace applies
    stats = recovery.run_until_idle()

    assert stats.reviewed == 2 and stats.reconciled == 0
    assert channels["email"].lookups == [] and channels["email"].sent == []
    assert statuses(sessions) == {"review": 2}
    with sessions() as session:
        tasks = session.scalars(select(Task.context)).all()
    assert sorted(t["asked_provider"] for t in tasks) == [False, False]
    assert sink_keys(tmp_path) == {key: 1}


def test_reconcile_after_minutes_comes_from_the_case_strategy(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = _setup(sessions, 1)
    _crash_after_first_send(sessions, clock, tmp_path)
    channels = hooked(local_channels(tmp_path))
    patient = RetrySettings(reconcile_after_minutes=180)
    recovery = make_dispatcher(sessions, clock, channels, full_gate(), "b", retry=patient)
    clock.advance(timedelta(minutes=179))
    assert recovery.run_until_idle().unknown == 1 and channels["email"].lookups == []
    clock.advance(timedelta(minutes=2))
    assert recovery.run_until_idle().reconciled == 1
    assert statuses(sessions) == {"sent": 2}  # the contact and its validation notice


def test_a_case_on_a_strategy_this_deployment_lacks_still_has_its_lease_expired(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = _setup(sessions, 1)
    _crash_after_first_send(sessions, clock, tmp_path)
    recovery = make_dispatcher(sessions, clock, local_channels(tmp_path), full_gate(), "b")

    def gone(name: str, version: int) -> RetrySettings:
        raise KeyError(f"no strategy {name!r} version {version}")

    recovery.retry_for = gone
    clock.advance(timedelta(minutes=2))
    assert recovery.run_until_idle().unknown == 1  # the defaults: reconcile in an hour, never resend blind
    clock.advance(timedelta(minutes=60))
    assert recovery.run_until_idle().reconciled == 1 and statuses(sessions) == {"sent": 2}


def test_a_slow_provider_is_not_asked_past_the_reconcilers_claim(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = _setup(sessions, 3)
    _crash_after_first_send(sessions, clock, tmp_path)
    inner = local_channels(tmp_path)["email"]

    def slow(key: str) -> DeliveryResult | None:
        clock.advance(timedelta(seconds=40))  # the claim lasts one 60 s lease
        return inner.lookup(key)

    channels = {"email": Hooked(inner, lookup=slow)}
    recovery = make_dispatcher(sessions, clock, channels, full_gate(), "b")
    clock.advance(timedelta(minutes=62))
    assert recovery.run_once().reconciled == 2  # the third row waits for its claim to lapse
    clock.advance(timedelta(minutes=1))
    recovery.run_until_idle()
    assert len(channels["email"].lookups) == 3 and statuses(sessions) == {"sent": 6}


def _row_is_free(engine: Engine, row_id: str) -> None:
    """Write the row from an independent connection, failing fast if anyone holds a lock or transaction."""
    if engine.dialect.name == "postgresql":
        other = create_engine(engine.url)
        with other.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '500ms'"))
            conn.execute(update(OutboxAction).where(OutboxAction.id == row_id).values(last_error="probe"))
    else:
        other = create_engine(engine.url, connect_args={"timeout": 0.5})
        with other.begin() as conn:
            conn.execute(update(OutboxAction).where(OutboxAction.id == row_id).values(last_error="probe"))
    other.dispose()


def test_the_provider_is_asked_and_sent_to_with_no_transaction_open(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    clock = _setup(sessions, 2)
    key = _crash_after_first_send(sessions, clock, tmp_path)
    probed: list[str] = []

    def row_id(key: str) -> str:
        with sessions() as session:
            found = session.scalar(select(OutboxAction.id).where(OutboxAction.idempotency_key == key))
        return str(found)

    def lookup(asked: str) -> DeliveryResult | None:
        _row_is_free(engine, row_id(asked))
        probed.append(asked)
        return inner.lookup(asked)

    def send(message: OutboundMessage) -> None:
        _row_is_free(engine, row_id(message.idempotency_key))
        probed.append(message.idempotency_key)

    inner = local_channels(tmp_path)["email"]
    channels = {"email": Hooked(inner, before=send, lookup=lookup)}
    clock.advance(timedelta(minutes=62))
    make_dispatcher(sessions, clock, channels, full_gate(), "b").run_until_idle()
    assert key in probed and len(probed) == 2 + 3  # two lookups, one resend, two notices
    assert max(sink_keys(tmp_path).values()) == 1
