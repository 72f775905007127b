"""Exactly once with slow providers and stalled workers, deterministically, in one process.

Two dispatchers share one database and one simulated clock. A worker "pauses" inside its provider call:
the hook moves the clock on and lets the other worker run meanwhile, exactly what a SIGSTOP, a VM freeze
or a slow provider looks like to the rest of the system. Sends happen with no database transaction open,
so the other worker can write while the first one is inside `send` (on SQLite a held transaction would
block it).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.channels.base import OutboundMessage
from arrears.core.clock import SimulatedClock
from arrears.engine.dispatcher import DispatchStats
from arrears.providers.local.sinks import local_channels
from arrears.store.models import OutboxAction
from tests.engine.exactly_once_support import (
    NOTICE,
    START,
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

CASES = 30
PAST_LEASE_AND_GRACE = timedelta(minutes=62)  # lease (60 s) + the strategy's reconcile_after_minutes (60)


def _every_case_once(outbox: Path, sessions: sessionmaker[Session]) -> None:
    contacts = sink_contacts(outbox, sessions)
    assert max(sink_keys(outbox).values()) == 1, "a message went out twice"
    steps = sorted({step for _, step, _ in contacts})
    assert steps == ["reminder-email", NOTICE]
    for step in steps:
        assert sum(n for (_, s, _), n in contacts.items() if s == step) == CASES, step
    assert set(statuses(sessions)) == {"sent"}
    assert max(sent_interactions(sessions).values()) == 1, "one send recorded twice"


def test_a_worker_paused_past_its_lease_sends_nothing_it_no_longer_holds(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    gate, clock = full_gate(), SimulatedClock(START)
    seed_us(sessions, START, CASES)
    plan(sessions, clock, gate)
    sinks = local_channels(tmp_path)
    other = make_dispatcher(sessions, clock, sinks, gate, "b")
    after_resume: list[str] = []

    def pause(message: OutboundMessage) -> None:
        """After the provider accepted A's third message, A stalls past its lease and the reconcile grace;
        B works meanwhile (expires, asks the provider, requeues, sends what it can)."""
        if after_resume or len(paused.sent) + len(paused_sms.sent) != 3:
            return
        clock.advance(PAST_LEASE_AND_GRACE)
        other.run_until_idle()
        after_resume.append("resumed")

    channels = hooked(sinks, after=pause)
    paused, paused_sms = channels["email"], channels["sms"]
    worker = make_dispatcher(sessions, clock, channels, gate, "a")
    stats = worker.run_once()
    sent_by_a = len(paused.sent)
    other.run_until_idle()
    other.run_until_idle()

    assert after_resume == ["resumed"]
    assert sent_by_a == 3, "A sent nothing after it resumed"
    assert stats.claimed == CASES and stats.fenced == CASES - 3
    _every_case_once(tmp_path, sessions)


def test_a_stall_inside_a_send_shorter_than_the_grace_is_recorded_not_resent(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """The residual window: paused after the fence check, before the provider got it. The lease runs out,
    but the row is only asked about after the strategy's reconcile_after_minutes; the late send is
    recorded by its sender and never sent again."""
    gate, clock = full_gate(), SimulatedClock(START)
    seed_us(sessions, START, 1)
    plan(sessions, clock, gate)
    sinks = local_channels(tmp_path)
    other = make_dispatcher(sessions, clock, sinks, gate, "b")
    seen = DispatchStats()

    def stall(message: OutboundMessage) -> None:
        if message.idempotency_key in sink_keys(tmp_path):
            return
        clock.advance(timedelta(minutes=30))
        seen.unknown += other.run_once().unknown  # B finds the lease run out: unknown, not yet asked

    worker = make_dispatcher(sessions, clock, hooked(sinks, before=stall), gate, "a")
    worker.run_once()
    clock.advance(timedelta(hours=2))
    later = other.run_until_idle()

    assert seen.unknown == 1 and later.reconciled == 0
    with sessions() as session:
        row = session.scalars(select(OutboxAction).where(OutboxAction.step_id == "reminder-email")).one()
    assert row.status == "sent"
    assert max(sink_keys(tmp_path).values()) == 1
    assert sorted(s for _, s, _ in sink_contacts(tmp_path, sessions)) == ["reminder-email", NOTICE]


def test_a_slow_provider_renews_the_lease_and_no_lease_runs_out(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """2 s per send against 5 s leases: a batch of 30 outlives its lease many times over. A renews before
    sends that would start with under half a lease left; B, running between A's sends, never finds an
    expired lease to take over."""
    gate, clock = full_gate(), SimulatedClock(START)
    seed_us(sessions, START, CASES)
    plan(sessions, clock, gate)
    sinks = local_channels(tmp_path)
    other = make_dispatcher(sessions, clock, sinks, gate, "b", lease_seconds=5)
    seen = DispatchStats()

    def slow(message: OutboundMessage) -> None:
        clock.advance(timedelta(seconds=2))
        stats = other.run_once()
        seen.unknown += stats.unknown + stats.reviewed

    worker = make_dispatcher(sessions, clock, hooked(sinks, before=slow), gate, "a", lease_seconds=5)
    stats = worker.run_until_idle()
    other.run_until_idle()

    assert seen.unknown == 0, "a lease ran out during a slow batch"
    # A's 30 sends took 60 s of 5 s leases: it renewed (every second send) and lost nothing.
    assert stats.renewals >= 12 and stats.fenced == 0
    _every_case_once(tmp_path, sessions)


def test_fast_sends_renew_nothing(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    """The common case costs no database round trip per send: local sinks answer in microseconds."""
    gate, clock = full_gate(), SimulatedClock(START)
    seed_us(sessions, START, CASES)
    plan(sessions, clock, gate)
    stats = make_dispatcher(sessions, clock, local_channels(tmp_path), gate, "a").run_until_idle()
    assert stats.sent == 2 * CASES and stats.renewals == 0
    _every_case_once(tmp_path, sessions)
