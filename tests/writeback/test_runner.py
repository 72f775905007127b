"""The write-back runner against a real signed-webhook receiver: every event once and in order, a replay of
the whole feed changes nothing for a receiver deduplicating on webhook-id, failures retried with seeded
backoff without holding the others back, dead after the allowance, and a replay from the dead letters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.fakes.webhooks import WebhookReceiver
from arrears.writeback.backoff import retry_delay
from arrears.writeback.ledger import replay_dead
from tests.conversations.support import NOW
from tests.writeback.support import (
    POLICY,
    destination,
    feed_ids,
    ledger,
    receiver,
    rewind,
    runner,
    seed_payments,
)


@pytest.fixture
def hook(tmp_path: Path) -> Iterator[WebhookReceiver]:
    running = receiver(tmp_path)
    yield running
    running.stop()


@pytest.fixture
def payments_hook(tmp_path: Path) -> Iterator[WebhookReceiver]:
    running = receiver(tmp_path, events=["payment.applied"])
    yield running
    running.stop()


def test_every_event_once_in_commit_order_with_its_case(
    sessions: sessionmaker[Session], hook: WebhookReceiver
) -> None:
    case_id, _ = seed_payments(sessions, 3)
    clock = SimulatedClock(NOW)
    stats = runner(sessions, clock, [destination(hook)]).run_pass()

    assert [d.id for d in hook.deliveries] == feed_ids(sessions)
    assert stats.delivered == len(hook.deliveries) and stats.failed == 0
    last = hook.deliveries[-1].message
    assert last["type"] == "payment.applied"
    assert last["data"]["case"]["case_id"] == case_id
    assert last["data"]["case"]["balance_minor"] == 24350 and last["data"]["case"]["currency"] == "USD"
    runner(sessions, clock, [destination(hook)]).run_pass()
    assert len(hook.deliveries) == len(hook.ids())  # nothing twice
    assert ledger(sessions) == {}  # first-try successes leave no ledger rows


def test_replaying_the_whole_feed_changes_nothing_for_the_receiver(
    sessions: sessionmaker[Session], hook: WebhookReceiver
) -> None:
    seed_payments(sessions, 2)
    clock = SimulatedClock(NOW)
    runner(sessions, clock, [destination(hook)]).run_pass()
    first = hook.ids()
    rewind(sessions, "webhook:erp")
    runner(sessions, clock, [destination(hook)]).run_pass()
    assert len(hook.deliveries) == 2 * len(first)
    assert hook.ids() == first  # same webhook-ids: a deduplicating receiver applies nothing new


def test_a_500_is_retried_with_seeded_backoff_and_does_not_block_the_rest(
    sessions: sessionmaker[Session], payments_hook: WebhookReceiver
) -> None:
    _, ids = seed_payments(sessions, 3)
    clock = SimulatedClock(NOW)
    payments_hook.fail_next(500)
    run = runner(sessions, clock, [destination(payments_hook)])
    run.run_pass()

    assert payments_hook.ids() == ids[1:]  # the others went on
    row = ledger(sessions)[ids[0]]
    assert (row.status, row.attempts) == ("retrying", 1)
    assert row.next_attempt_at == NOW + timedelta(seconds=retry_delay(POLICY, ids[0], 1, None))
    run.run_pass()  # not due yet
    assert payments_hook.ids() == ids[1:]
    clock.set(row.next_attempt_at)
    run.run_pass()
    assert payments_hook.ids() == [*ids[1:], ids[0]]
    assert ledger(sessions)[ids[0]].status == "delivered"


def test_a_429_waits_at_least_its_retry_after(
    sessions: sessionmaker[Session], payments_hook: WebhookReceiver
) -> None:
    _, ids = seed_payments(sessions, 1)
    payments_hook.fail_next(429, retry_after="900")
    runner(sessions, SimulatedClock(NOW), [destination(payments_hook)]).run_pass()
    row = ledger(sessions)[ids[0]]
    assert row.status == "retrying" and row.next_attempt_at is not None
    assert row.next_attempt_at >= NOW + timedelta(seconds=900)


def test_dead_after_the_allowance_then_replayed_from_the_dead_letters(
    sessions: sessionmaker[Session], payments_hook: WebhookReceiver
) -> None:
    _, (event_id,) = seed_payments(sessions, 1)
    clock = SimulatedClock(NOW)
    run = runner(sessions, clock, [destination(payments_hook)])
    payments_hook.fail_next(503, times=POLICY.max_attempts)
    for _ in range(POLICY.max_attempts):
        run.run_pass()
        clock.advance(timedelta(seconds=POLICY.cap_seconds))
    row = ledger(sessions)[event_id]
    assert (row.status, row.attempts) == ("dead", POLICY.max_attempts)
    assert "503" in (row.last_error or "")
    run.run_pass()
    assert payments_hook.ids() == []  # dead letters wait for a person

    with sessions.begin() as session:
        assert replay_dead(session, clock.now(), destination="webhook:erp") == 1
    run.run_pass()
    assert payments_hook.ids() == [event_id]
    assert ledger(sessions)[event_id].status == "delivered"


def test_a_refusal_is_dead_at_once(sessions: sessionmaker[Session], payments_hook: WebhookReceiver) -> None:
    _, ids = seed_payments(sessions, 2)
    payments_hook.fail_next(410)
    runner(sessions, SimulatedClock(NOW), [destination(payments_hook)]).run_pass()
    row = ledger(sessions)[ids[0]]
    assert (row.status, row.attempts) == ("dead", 1)
    assert payments_hook.ids() == ids[1:]


def test_a_destination_that_is_down_keeps_its_place_for_the_next_pass(
    sessions: sessionmaker[Session], payments_hook: WebhookReceiver
) -> None:
    _, ids = seed_payments(sessions, 6)
    clock = SimulatedClock(NOW)
    payments_hook.fail_next(500, times=3)
    run = runner(sessions, clock, [destination(payments_hook)])
    stats = run.run_pass()
    assert stats.failed == 3 and payments_hook.ids() == []  # three in a row: down, the rest untried
    assert set(ledger(sessions)) == set(ids[:3])
    run.run_pass()
    assert payments_hook.ids() == ids[3:]  # the next pass starts where it stopped
