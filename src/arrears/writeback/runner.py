"""The write-back pass: for each destination, under its cursor's lease, read the next events in order, load
their cases, deliver outside any transaction, then record the outcomes and advance the cursor in one short
transaction.

A failed event goes to the ledger (retrying with backoff, or dead) and the cursor moves past it, so one bad
event never holds the others back. A destination that fails several events in a row is treated as down for
this pass: the cursor stops before the first event not tried, and the next pass starts there; so does a
batch that outlasts half the lease, which is renewed with each batch read (never two readers at once). A crash
between delivering and recording redelivers the same events (same ids) once the lease expires.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import Clock
from arrears.feed import FeedEvent, advance, read
from arrears.feed.read import Position
from arrears.store.db import transaction
from arrears.writeback.backoff import RetryPolicy
from arrears.writeback.base import BatchDestination, Destination, Item
from arrears.writeback.deliver import attempt_batch, attempt_each
from arrears.writeback.events import events_by_id
from arrears.writeback.lease import holds_lease, release_lease, take_lease
from arrears.writeback.ledger import Outcome, due_retries, record
from arrears.writeback.snapshots import load_snapshots

log = logging.getLogger(__name__)


@dataclass
class WritebackStats:
    read: int = 0  # new events read past the cursors
    delivered: int = 0
    failed: int = 0  # attempts that went to the ledger (retrying or dead)

    @property
    def busy(self) -> bool:
        return bool(self.read or self.delivered or self.failed)


@dataclass
class _Batch:
    fresh: list[FeedEvent]  # new events past the cursor, in order (accepted or not)
    items: list[Item]  # what to deliver: due retries first, then the accepted new events
    retries: int  # how many of `items` are retries
    last: Position | None = None
    outcomes: list[Outcome] = field(default_factory=list)


class WritebackRunner:
    """Runs write-back passes for the destinations the providers offer; any number of workers may run one."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        destinations: Sequence[Destination],
        *,
        owner: str,
        policy: RetryPolicy | None = None,
        lease_seconds: float = 60.0,
        batch_size: int = 200,
        max_batches: int = 20,
    ) -> None:
        names = [d.name for d in destinations]
        if len(set(names)) != len(names):
            raise ValueError(f"write-back destinations need unique names, got {names}")
        self.sessions = sessions
        self.clock = clock
        self.destinations = tuple(destinations)
        self.owner = owner
        self.policy = policy or RetryPolicy()
        self.lease_seconds = lease_seconds
        self.batch_size = batch_size
        self.max_batches = max_batches

    def run_pass(self) -> WritebackStats:
        """One pass over every destination: due retries, then new events, until each is caught up.

        Destinations are worked side by side (a thread each), so a slow CRM never delays a Slack alert;
        each keeps its own order under its own lease."""
        if len(self.destinations) == 1:
            return self._run_one(self.destinations[0])
        with ThreadPoolExecutor(max_workers=min(len(self.destinations), 8), thread_name_prefix="wb") as pool:
            passes = list(pool.map(self._run_one, self.destinations))
        total = WritebackStats()
        for one in passes:
            total.read += one.read
            total.delivered += one.delivered
            total.failed += one.failed
        return total

    def _run_one(self, destination: Destination) -> WritebackStats:
        stats = WritebackStats()
        try:
            self._run(destination, stats)
        except Exception as exc:  # one destination's trouble (its database work) never stops the others
            log.error(
                "writeback pass failed", extra={"destination": destination.name, "error": type(exc).__name__}
            )
        return stats

    def _run(self, destination: Destination, stats: WritebackStats) -> None:
        for _ in range(self.max_batches):
            batch = self._load(destination)
            if batch is None:
                return  # another worker holds this destination's lease
            if not batch.fresh and not batch.items:
                break
            self._deliver(destination, batch)
            if not self._record(destination, batch):
                return
            stats.read += len(batch.fresh)
            stats.delivered += sum(o.error is None for o in batch.outcomes)
            stats.failed += sum(o.error is not None for o in batch.outcomes)
            stopped = len(batch.outcomes) < len(batch.items)
            if stopped or (len(batch.fresh) < self.batch_size and batch.retries < self.batch_size):
                break
        with transaction(self.sessions) as session:
            release_lease(session, destination.name, self.owner)

    def _load(self, destination: Destination) -> _Batch | None:
        """Take (or renew) the lease and read the batch in one transaction, released before delivering."""
        now = self.clock.now()
        with transaction(self.sessions) as session:
            if not take_lease(session, destination.name, self.owner, now, self.lease_seconds):
                return None
            retry_ids = due_retries(session, destination.name, now, self.batch_size)
            retried = events_by_id(session, retry_ids)
            fresh = read(session, destination.name, self.batch_size)
            wanted = [e for e in fresh if destination.accepts(e.kind)]
            cases = {e.case_id for e in (*retried, *wanted) if e.case_id}
            snapshots = load_snapshots(session, cases, now)
        items = [(e, snapshots.get(e.case_id) if e.case_id else None) for e in (*retried, *wanted)]
        return _Batch(fresh=fresh, items=items, retries=len(retried))

    def _deliver(self, destination: Destination, batch: _Batch) -> None:
        if isinstance(destination, BatchDestination):
            batch.outcomes = attempt_batch(destination, batch.items) if batch.items else []
        else:
            deadline = time.monotonic() + self.lease_seconds / 2  # renewed at the next batch's read
            batch.outcomes = attempt_each(destination, batch.items, deadline)
        tried = {o.event_id for o in batch.outcomes}
        untried = {e.id for e, _ in batch.items[batch.retries :] if e.id not in tried}
        for event in batch.fresh:
            if event.id in untried:
                break  # the destination looked down: the next pass starts here
            batch.last = event.position

    def _record(self, destination: Destination, batch: _Batch) -> bool:
        """Outcomes and the cursor in one short transaction, only while the lease is still ours."""
        now = self.clock.now()
        with transaction(self.sessions) as session:
            if not holds_lease(session, destination.name, self.owner):
                log.warning("writeback lease lost", extra={"destination": destination.name})
                return False
            record(session, destination.name, batch.outcomes, self.policy, now)
            if batch.last is not None:
                advance(session, destination.name, batch.last, now)
        return True
