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
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from arrears.casefacts.model import CaseFacts
from arrears.channels.base import Channel, ChannelError, DeliveryResult, DeliveryStatus, OutboundMessage
from arrears.compliance.model import ContactChannel, Decision, DestinationKind, PriorContact
from arrears.core import faults
from arrears.core.clock import Clock
from arrears.core.faults import FaultPoint
from arrears.engine.fencing import LeaseFence

log = logging.getLogger(__name__)

#: Crash points count their arrivals; the count is shared by the sending threads.
_FAULTS = threading.Lock()


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
    lanes: dict[str, list[Planned]] = {}
    for item in planned:
        lanes.setdefault(item.row.customer_id, []).append(item)
    if pool is None or len(lanes) < 2:
        done = [attempt for lane in lanes.values() for attempt in _send_lane(lane, rules)]
    else:
        futures = [pool.submit(_send_lane, lane, rules) for lane in lanes.values()]
        done = [attempt for future in futures for attempt in future.result()]
    order = {id(item): i for i, item in enumerate(planned)}
    return sorted(done, key=lambda attempt: order[id(attempt.planned)])


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


__all__ = ["Attempt", "Planned", "SendRules", "count_send", "send_all", "uncount"]
