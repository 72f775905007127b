"""A chunk's sends, made concurrently so that provider latency, not one send after another, sets the pace.

The dispatcher judges and renders a chunk's rows one by one (each allowed row counted toward the caps of
the rows after it, as if sent), then hands the messages here. Rows of one customer form one lane, sent in
their order, one after the other: never two sends in flight to one person. Lanes run on a pool of
`concurrency` threads. Right before each send the lease fence is asked again, and a row judged too long ago
is not sent on that old verdict: both come back as `waited`, to be judged again with the next chunk. Nothing
here writes to the database: the dispatcher records every attempt in the chunk's one transaction once all
of them have returned.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from arrears.casefacts.model import CaseFacts
from arrears.channels.base import Channel, ChannelError, DeliveryResult, DeliveryStatus, OutboundMessage
from arrears.channels.resilience import ChannelBusy
from arrears.compliance.model import ContactChannel, Decision, DestinationKind, PriorContact
from arrears.core import faults
from arrears.core.clock import Clock
from arrears.core.faults import FaultPoint
from arrears.engine.delivery_writes import DeliveryWrites
from arrears.engine.fencing import LeaseFence
from arrears.engine.notices import record_sent

log = logging.getLogger(__name__)

#: Crash points count their arrivals; the count is shared by the sending threads.
_FAULTS = threading.Lock()


@dataclass
class DispatchStats:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    refused: int = 0
    failed: int = 0
    cancelled: int = 0
    unknown: int = 0  # leases found expired, to be asked of the provider
    reviewed: int = 0  # leases found expired, sent to a person (`retry.on_unknown: review`)
    reconciled: int = 0  # unknown rows settled by the provider's answer
    fenced: int = 0  # rows this worker no longer held when their turn came: not sent
    renewals: int = 0  # lease renewals before a send (slow providers, stalls)
    throttled: int = 0  # not sent for now: a provider's circuit open or its rate limit reached


class RetryOrFail(Protocol):
    def __call__(
        self,
        row: Any,
        facts: CaseFacts,
        error: str,
        writes: DeliveryWrites,
        stats: DispatchStats,
        *,
        final: bool = False,
    ) -> None: ...


@dataclass
class Planned:
    """A row the gate allowed, its message, and the contact it was counted as (withdrawn if not sent)."""

    row: Any
    facts: CaseFacts
    decision: Decision
    channel: Channel
    message: OutboundMessage
    judged_at: datetime
    counted: PriorContact


@dataclass
class Attempt:
    planned: Planned
    result: DeliveryResult | None = None
    error: ChannelError | None = None
    waited: bool = False  # not sent: the lease ran short or the verdict got old; judge it again
    at: datetime | None = None  # when the provider answered


@dataclass(frozen=True)
class SendRules:
    fence: LeaseFence
    clock: Clock
    fresh: timedelta  # the longest a verdict may wait for its send
    margin: timedelta  # a send longer than this risks its lease: said in the logs


def send_all(planned: Sequence[Planned], rules: SendRules, pool: Executor | None) -> list[Attempt]:
    """Every planned row's attempt, in the order planned; `pool` None: one after another, in this thread."""
    return start_all(planned, rules, pool)()


def start_all(
    planned: Sequence[Planned], rules: SendRules, pool: Executor | None
) -> Callable[[], list[Attempt]]:
    """Start the sends (on `pool`; None: made here and now); the returned call waits for every attempt."""
    lanes: dict[str, list[Planned]] = {}
    for item in planned:
        lanes.setdefault(item.row.customer_id, []).append(item)
    order = {id(item): i for i, item in enumerate(planned)}
    if pool is None:
        done = [attempt for lane in lanes.values() for attempt in _send_lane(lane, rules)]
        return lambda: sorted(done, key=lambda attempt: order[id(attempt.planned)])
    futures = [pool.submit(_send_lane, lane, rules) for lane in lanes.values()]

    def collect() -> list[Attempt]:
        done = [attempt for future in futures for attempt in future.result()]
        return sorted(done, key=lambda attempt: order[id(attempt.planned)])

    return collect


@dataclass
class Flight:
    """A chunk whose sends are out: recorded once `collect` has every attempt."""

    rows: list[Any]
    planned: list[Planned]
    later: list[Any]  # rows not judged (the lease ran short): they wait
    writes: DeliveryWrites
    renewed: bool
    collect: Callable[[], list[Attempt]]


def take_chunk(queue: list[Any], size: int, flight: Flight | None) -> tuple[list[Any], list[Any]]:
    """The next `size` rows, skipping customers with a send still out: never two in flight to one person."""
    busy = {item.row.customer_id for item in flight.planned} if flight is not None else set()
    chunk: list[Any] = []
    rest: list[Any] = []
    for row in queue:
        (chunk if len(chunk) < size and row.customer_id not in busy else rest).append(row)
    return chunk, rest


def settle(
    attempts: Sequence[Attempt],
    facts: dict[str, CaseFacts],
    writes: DeliveryWrites,
    stats: DispatchStats,
    retry_or_fail: RetryOrFail,
) -> list[Any]:
    """Record what each send did; returns the rows that waited, to be judged again."""
    waiting: list[Any] = []
    for attempt in attempts:
        item, row, result = attempt.planned, attempt.planned.row, attempt.result
        if result is not None and result.status is DeliveryStatus.SENT:
            sent = (result.provider, result.provider_id)
            record_sent(writes, row, item.facts, sent, item.decision.to_json(), attempt.at or writes.now)
            stats.sent += 1
            continue
        uncount(facts, row, item.counted)
        if attempt.waited:
            waiting.append(row)
        elif isinstance(busy := attempt.error, ChannelBusy):  # the provider was not asked: no attempt
            later = writes.now + timedelta(seconds=busy.retry_after)
            writes.release(row, later, error=str(busy), count_attempt=False)
            stats.throttled += 1
        elif attempt.error is not None:
            retry_or_fail(row, item.facts, str(attempt.error), writes, stats)
        elif result is not None:
            final = result.status is DeliveryStatus.REJECTED
            retry_or_fail(row, item.facts, result.error or result.status.value, writes, stats, final=final)
    return waiting


def _send_lane(lane: Sequence[Planned], rules: SendRules) -> list[Attempt]:
    """One customer's rows in order; once one has to wait, the ones after it wait too (order is kept)."""
    attempts: list[Attempt] = []
    for item in lane:
        if attempts and attempts[-1].waited:
            attempts.append(Attempt(item, waited=True))
        else:
            attempts.append(_send_one(item, rules))
    return attempts


def _send_one(item: Planned, rules: SendRules) -> Attempt:
    now = rules.clock.now()
    if not rules.fence.ready(now) or now - item.judged_at > rules.fresh:  # right before the send
        return Attempt(item, waited=True)
    started = time.monotonic()
    try:
        result = item.channel.send(item.message)
    except ChannelError as exc:
        return Attempt(item, error=exc, at=rules.clock.now())
    finally:
        _warn_if_slow(item.row, time.monotonic() - started, rules.margin)
    if result.status is DeliveryStatus.SENT:
        with _FAULTS:
            faults.reach(FaultPoint.DISPATCH_AFTER_ACCEPT)
    return Attempt(item, result=result, at=rules.clock.now())


def _warn_if_slow(row: Any, seconds: float, margin: timedelta) -> None:
    if seconds >= margin.total_seconds():
        log.warning(
            "send outlasted the lease margin: raise the lease or the margin for this provider",
            extra={"outbox_id": row.id, "channel": row.channel, "seconds": round(seconds, 3)},
        )


def count_send(facts: dict[str, CaseFacts], row: Any, at: datetime) -> PriorContact:
    """A send counts toward caps for every later row of this batch to the same person, on any debt.

    The facts were loaded before the batch; without this, two rows planned in different passes for one
    customer would each see the other as not yet sent and both leave, one over a weekly cap. A row is
    counted when the gate allows it, before its send (conservative: the rows after it are judged while it
    is in flight), and withdrawn with `uncount` if it does not leave.
    """
    prior = PriorContact(
        at=at,
        channel=ContactChannel(row.channel),
        destination=row.destination,
        destination_kind=DestinationKind(row.destination_kind),
        debt_id=row.case_id,
    )
    for fact in facts.values():
        if fact.customer_id == row.customer_id:
            fact.history.append(prior)
    return prior


def uncount(facts: dict[str, CaseFacts], row: Any, prior: PriorContact) -> None:
    for fact in facts.values():
        if fact.customer_id == row.customer_id:
            for i in range(len(fact.history) - 1, -1, -1):
                if fact.history[i] is prior:
                    del fact.history[i]
                    break


__all__ = [
    "Attempt",
    "DispatchStats",
    "Flight",
    "Planned",
    "SendRules",
    "count_send",
    "send_all",
    "settle",
    "start_all",
    "take_chunk",
    "uncount",
]
