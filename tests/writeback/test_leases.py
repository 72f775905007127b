"""One reader per destination: a crash between delivering and recording redelivers the same webhook-ids
once the lease expires (at-least-once + idempotency key = effectively once), and two workers on one
PostgreSQL database never deliver to the same destination at the same time."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.fakes import webhooks as fake_webhooks
from arrears.fakes.webhooks import WebhookReceiver
from arrears.feed import FeedEvent
from arrears.store.db import make_engine, session_factory
from arrears.writeback import CaseSnapshot, Destination
from tests.conversations.support import NOW
from tests.writeback.support import destination, feed_ids, receiver, runner, seed_payments


class Crash(BaseException):
    """The process dying: nothing after it runs (not an error the runner could record)."""


class CrashAfter:
    """Delivers through the real destination, then the process dies after the nth delivery."""

    def __init__(self, inner: Destination, nth: int) -> None:
        self.inner, self.name, self.left = inner, inner.name, nth

    def accepts(self, kind: str) -> bool:
        return self.inner.accepts(kind)

    def deliver(self, event: FeedEvent, case: CaseSnapshot | None) -> None:
        self.inner.deliver(event, case)
        self.left -= 1
        if self.left == 0:
            raise Crash


class OneAtATime:
    """Delivers through the real destination and notes how many deliveries ever overlapped."""

    def __init__(self, inner: Destination) -> None:
        self.inner, self.name = inner, inner.name
        self.lock, self.in_flight, self.most = threading.Lock(), 0, 0

    def accepts(self, kind: str) -> bool:
        return self.inner.accepts(kind)

    def deliver(self, event: FeedEvent, case: CaseSnapshot | None) -> None:
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        try:
            time.sleep(0.002)  # a slow endpoint widens any window two readers could share
            self.inner.deliver(event, case)
        finally:
            with self.lock:
                self.in_flight -= 1


@pytest.fixture
def hook(tmp_path: Path) -> Iterator[WebhookReceiver]:
    running = receiver(tmp_path)
    yield running
    running.stop()


def test_a_crash_between_deliver_and_record_redelivers_the_same_ids(
    sessions: sessionmaker[Session], hook: WebhookReceiver
) -> None:
    seed_payments(sessions, 3)
    everything = feed_ids(sessions)
    clock = SimulatedClock(NOW)
    with pytest.raises(Crash):
        runner(sessions, clock, [CrashAfter(destination(hook), 2)], owner="a", lease_seconds=30).run_pass()
    assert hook.ids() == everything[:2]  # delivered, never recorded

    other = runner(sessions, clock, [destination(hook)], owner="b", lease_seconds=30)
    other.run_pass()
    assert hook.ids() == everything[:2]  # the dead worker's lease still holds the destination
    clock.advance(timedelta(seconds=31))
    other.run_pass()
    assert [d.id for d in hook.deliveries] == [*everything[:2], *everything]  # redelivered, same ids
    assert hook.ids() == everything  # a receiver deduplicating on webhook-id applied each once


def test_two_workers_never_deliver_to_one_destination_at_once(postgres_url: str, tmp_path: Path) -> None:
    engine = make_engine(postgres_url)
    sessions = session_factory(engine)
    running = receiver(tmp_path)
    try:
        seed_payments(sessions, 40)
        everything = feed_ids(sessions)
        shared = OneAtATime(destination(running))
        clock = SimulatedClock(NOW)
        workers = [runner(sessions, clock, [shared], owner=o, batch_size=5) for o in ("a", "b")]
        start = threading.Barrier(2)

        def work(index: int) -> None:
            start.wait()
            deadline = time.monotonic() + 60
            while len(running.ids()) < len(everything) and time.monotonic() < deadline:
                workers[index].run_pass()

        threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert shared.most == 1
        assert [d.id for d in running.deliveries] == everything  # once each, in order
    finally:
        running.stop()
        engine.dispose()


class WaitsFor:
    """A slow destination: each delivery waits until another destination's receiver has heard everything."""

    def __init__(self, inner: Destination, other: WebhookReceiver, count: int) -> None:
        self.inner, self.name, self.other, self.count = inner, "slow-crm", other, count
        self.waited_out = False

    def accepts(self, kind: str) -> bool:
        return self.inner.accepts(kind)

    def deliver(self, event: FeedEvent, case: CaseSnapshot | None) -> None:
        deadline = time.monotonic() + 20
        while len(self.other.ids()) < self.count:
            if time.monotonic() > deadline:
                self.waited_out = True
                break
            time.sleep(0.01)
        self.inner.deliver(event, case)


def test_a_slow_destination_does_not_hold_the_others_back(
    sessions: sessionmaker[Session], hook: WebhookReceiver, tmp_path: Path
) -> None:
    seed_payments(sessions, 2)
    everything = feed_ids(sessions)
    (tmp_path / "other").mkdir()
    other = fake_webhooks.start(config_dir=tmp_path / "other", name="other")
    try:
        slow = WaitsFor(destination(hook), other, len(everything))
        fast = destination(other)
        runner(sessions, SimulatedClock(NOW), [slow, fast]).run_pass()
        assert not slow.waited_out  # the fast one finished while the slow one was still waiting
        assert hook.ids() == everything and other.ids() == everything
    finally:
        other.stop()
