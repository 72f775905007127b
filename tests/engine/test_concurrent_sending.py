"""Bounded-concurrency sending through the official Twilio SDK to a provider with latency and trouble.

Structure, not wall time: the provider counts what is in flight, overall and per recipient."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.casefacts.model import CaseFacts
from arrears.channels.base import Channel, DeliveryStatus, OutboundMessage
from arrears.channels.resilience import Guards
from arrears.compliance.model import Decision, PriorContact
from arrears.core.clock import SimulatedClock
from arrears.engine.dispatcher import Dispatcher
from arrears.engine.fencing import LeaseFence
from arrears.engine.sending import Flight, Planned, SendRules, send_all, take_chunk
from arrears.providers.twilio.channels import TwilioMessaging
from arrears.providers.twilio.client import TwilioConfig, make_client
from arrears.store.db import make_engine, session_factory
from arrears.store.models import OutboxAction
from arrears.strategy.schema import RetrySettings
from arrears.system.parts import disclosure_texts
from tests.channels.twilio_wire import TwilioWire, twilio_wire
from tests.engine.exactly_once_support import SETTINGS, START, full_gate, plan, seed_us
from tests.engine.test_crash import Workers, _exactly_as_reference, _reference, _summary

FROM = "+15005550006"
CUSTOMERS = 40


def twilio_sms(wire: TwilioWire, timeout: float = 5.0) -> TwilioMessaging:
    config = TwilioConfig("AC" + "0" * 32, "token", FROM, None, None, api_base_url=wire.url)
    return TwilioMessaging(make_client(config, timeout=timeout), "sms", FROM, None)


def guarded(wire: TwilioWire, timeout: float = 5.0) -> Channel:
    guards = Guards(failures=3, cooldown=0.3, provider_rates={}, sender_rates={}, max_wait=0.5)
    return guards.wrap("twilio", twilio_sms(wire, timeout))


def dispatcher(sessions: sessionmaker[Session], clock: SimulatedClock, channel: Channel) -> Dispatcher:
    """E-mail rows go out through Twilio's Messages API here: one provider sees every send."""
    gate = full_gate()
    return Dispatcher(
        sessions,
        clock,
        {"email": channel},
        gate,
        worker_id="w",
        batch_size=100,
        disclosures_for=disclosure_texts(gate, SETTINGS),
        retry_for=lambda _n, _v: RetrySettings(max_attempts=10, backoff_minutes=(1,)),
        send_concurrency=8,
    )


@pytest.fixture
def slow_wire() -> Iterator[TwilioWire]:
    with twilio_wire(latency=0.2) as wire:
        yield wire


def test_lanes_keep_one_send_per_customer_in_flight_and_their_order(slow_wire: TwilioWire) -> None:
    """40 messages to 20 people, 8 threads: 8 in flight at once, never 2 to one person, each person's in
    the order planned."""
    channel = twilio_sms(slow_wire)
    fence = LeaseFence(
        cast(Any, None), "w", timedelta(seconds=60), timedelta(seconds=30), START + timedelta(hours=1)
    )
    planned = [
        Planned(
            SimpleNamespace(id=f"r{i}", customer_id=f"c{i % 20}", channel="sms"),
            cast(CaseFacts, None),
            cast(Decision, None),
            channel,
            OutboundMessage(f"k{i}", "sms", f"+1212555{i % 20:04d}", f"{i // 20}"),
            START,
            cast(PriorContact, None),
        )
        for i in range(40)
    ]
    with ThreadPoolExecutor(8) as pool:
        attempts = send_all(
            planned,
            SendRules(fence, SimulatedClock(START), timedelta(seconds=10), timedelta(seconds=30)),
            pool,
        )
    assert [a.planned.row.id for a in attempts] == [f"r{i}" for i in range(40)]
    assert all(a.result is not None and a.result.status is DeliveryStatus.SENT for a in attempts)
    assert slow_wire.max_in_flight == 8 and slow_wire.max_in_flight_per_to == 1
    for person in range(20):
        to = f"+1212555{person:04d}"
        assert [body for t, body in slow_wire.accepted if t == to] == ["0", "1"]


def test_the_next_chunk_leaves_out_customers_with_a_send_still_in_flight() -> None:
    rows = [SimpleNamespace(id=f"r{i}", customer_id=f"c{i % 4}") for i in range(8)]
    nothing = cast(Any, None)
    out = Planned(rows[1], nothing, nothing, nothing, nothing, START, nothing)
    flight = Flight([rows[1]], [out], [], cast(Any, None), False, list)
    chunk, rest = take_chunk(rows, 4, flight)
    assert [r.id for r in chunk] == ["r0", "r2", "r3", "r4"]  # c1's rows wait for the chunk after
    assert [r.id for r in rest] == ["r1", "r5", "r6", "r7"]
    assert take_chunk(rest, 4, None) == (rest, [])


def _statuses(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return dict(Counter(session.scalars(select(OutboxAction.status))))


def _sent_by_destination(sessions: sessionmaker[Session]) -> Counter[str]:
    with sessions() as session:
        query = select(OutboxAction.destination).where(OutboxAction.status == "sent")
        return Counter(str(destination) for destination in session.scalars(query))


def test_a_batch_goes_out_eight_at_a_time_through_the_sdk(
    sessions: sessionmaker[Session], slow_wire: TwilioWire
) -> None:
    clock = SimulatedClock(START)
    seed_us(sessions, START, CUSTOMERS)
    plan(sessions, clock, full_gate())
    stats = dispatcher(sessions, clock, guarded(slow_wire)).run_until_idle()
    assert stats.sent == 2 * CUSTOMERS and stats.failed == 0  # a reminder and its validation notice each
    assert slow_wire.max_in_flight == 8 and slow_wire.max_in_flight_per_to == 1
    assert Counter(to for to, _ in slow_wire.accepted) == _sent_by_destination(sessions)


@pytest.mark.parametrize("trouble", ["429", "500", "stall", "down"])
def test_a_provider_in_trouble_loses_nothing_sends_nothing_twice_and_the_breaker_closes(
    sessions: sessionmaker[Session], trouble: str
) -> None:
    """Throttled, failing, timing out or down for a minute: the first sends fail (an attempt each, retried
    with backoff), the breaker opens, the rest are put off without an attempt; once the provider is back
    and the cool-down over, every message leaves exactly once."""
    clock = SimulatedClock(START)
    seed_us(sessions, START, CUSTOMERS)
    plan(sessions, clock, full_gate())
    with twilio_wire() as wire:
        channel = guarded(wire, timeout=1.0)
        work = dispatcher(sessions, clock, channel)
        if trouble == "down":
            wire.down()
        else:
            wire.trouble, wire.stall_seconds = trouble, 1.2  # type: ignore[assignment]
        first = work.run_once()
        assert first.sent == 0 and first.failed >= 3 and first.failed + first.throttled == CUSTOMERS
        assert cast(Any, channel).limits.breaker.state.value == "open"
        clock.advance(timedelta(minutes=1))
        wire.trouble = "ok"
        if trouble == "down":
            wire.up()  # the same port, a minute later
        time.sleep(0.35)  # the breaker's cool-down
        sent = 0
        for _ in range(5):  # the worker's next polls: rows put off while the probe was out follow it
            sent += work.run_until_idle().sent
            clock.advance(timedelta(minutes=2))  # and a send that met a loaded machine's timeout, later
            time.sleep(0.35)
        assert sent == 2 * CUSTOMERS and _statuses(sessions) == {"sent": 2 * CUSTOMERS}
        assert cast(Any, channel).limits.breaker.state.value == "closed"
        assert Counter(to for to, _ in wire.accepted) == _sent_by_destination(sessions)
        assert max(Counter(wire.accepted).values()) == 1


@pytest.mark.slow
def test_three_concurrent_workers_with_a_slow_provider_and_short_leases_send_everything_once(
    postgres_url: str, tmp_path: Path
) -> None:
    """The crash suite's slow-provider run (texts 2 s, leases 5 s, three worker processes), each worker
    sending 8 at a time: no lease runs out mid-batch and every owed message leaves once."""
    sessions = session_factory(make_engine(postgres_url))

    def seed(target: sessionmaker[Session]) -> None:
        seed_us(target, START, 240, sms_every=8)

    seed(sessions)
    workers = Workers(postgres_url, tmp_path)
    summaries = [tmp_path / f"worker{i}.json" for i in range(3)]
    slow = ("--latency", "2", "--slow", "sms", "--batch", "50", "--concurrency", "8")
    workers.finish(*[workers.start("drain", *slow, "--summary", str(path)) for path in summaries])

    stats = [_summary(path)["stats"] for path in summaries]
    assert sum(s["unknown"] + s["reviewed"] for s in stats) == 0, "a lease ran out mid-batch"
    assert sum(s["sent"] for s in stats) == 240 * 2
    _exactly_as_reference(workers.outbox, sessions, _reference(tmp_path, seed))
