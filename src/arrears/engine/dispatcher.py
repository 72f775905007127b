"""The dispatcher: lease ready outbox rows, ask the gate once more, send, record, never send twice.

A row is leased in its own committed transaction before anything leaves, and no provider call ever happens
inside a database transaction. Right before each send the row must still be leased to this worker with
`send_margin` left (`engine/fencing.py`): a slow provider or a paused worker renews the lease, or finds it
lost and sends nothing. If the process dies mid-send, the lease expires and the row becomes `unknown`: it
is reviewed or reconciled by asking the channel whether the message left (`engine/reconcile.py`), as the
case's strategy says (`retry.on_unknown`), never blindly resent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.casefacts.contact import Destination, gate_request
from arrears.casefacts.load import load_case_facts
from arrears.casefacts.model import CaseFacts
from arrears.channels.base import Channel, ChannelError, OutboundMessage
from arrears.compliance.model import (
    ContactGate,
    Decision,
    DestinationKind,
    Purpose,
    Verdict,
)
from arrears.compliance.rendering import RenderedDisclosures
from arrears.core import faults
from arrears.core.clock import Clock
from arrears.core.faults import FaultPoint
from arrears.engine.compose import Links, outbound
from arrears.engine.customer_locks import CustomerLocks
from arrears.engine.delivery_writes import DeliveryWrites
from arrears.engine.fencing import LeaseFence
from arrears.engine.reconcile import expire_leases, reconcile_unknown
from arrears.engine.sending import (
    DispatchStats,
    Flight,
    Planned,
    SendRules,
    count_send,
    settle,
    start_all,
    take_chunk,
)
from arrears.engine.spacing_hold import spacing_hold
from arrears.messages.config import MessageConfig
from arrears.messages.load import PrintedFacts, load_printed_facts
from arrears.messages.render import Business, MessageError
from arrears.payments.links import PaymentLinks, UnsubscribeLinks
from arrears.store.bulk import lock_skipping_locked
from arrears.store.db import transaction
from arrears.store.models import Hold, OptOut, OutboxAction
from arrears.strategy.routing import DeliveryResult as DeliveryOutcome
from arrears.strategy.routing import RetryMove, after_delivery
from arrears.strategy.schema import RetrySettings, Spacing

log = logging.getLogger(__name__)

#: Sends between two looks for new opt-outs and holds (the send concurrency when higher: one wave a chunk).
CHUNK = 20
#: A verdict older than this is judged again before its send (a chunk normally sends within a second).
FRESH_SECONDS = 30


_COLUMNS = (
    OutboxAction.id,
    OutboxAction.idempotency_key,
    OutboxAction.case_id,
    OutboxAction.customer_id,
    OutboxAction.channel,
    OutboxAction.destination,
    OutboxAction.destination_kind,
    OutboxAction.template,
    OutboxAction.step_id,
    OutboxAction.payload,
    OutboxAction.attempts,
    OutboxAction.created_at,
)


class Dispatcher:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        channels: Mapping[str, Channel],
        gate: ContactGate,
        *,
        worker_id: str,
        lease_seconds: int = 60,
        batch_size: int = 100,
        profiles_for: Callable[[CaseFacts], tuple[str, ...]] | None = None,
        messages: MessageConfig | None = None,
        payment_links: PaymentLinks | None = None,
        unsubscribe_links: UnsubscribeLinks | None = None,
        disclosures_for: Callable[[CaseFacts, Mapping[str, Any]], RenderedDisclosures] | None = None,
        retry_for: Callable[[str, int], RetrySettings] | None = None,
        send_margin_seconds: float | None = None,
        spacing_for: Callable[[str, int], Spacing] | None = None,
        send_concurrency: int = 1,
    ) -> None:
        """`send_margin_seconds`: the lease a send needs left to start without a renewal (default: half the
        lease). It must exceed the slowest send the providers make: a send that outlasts it lets the lease
        run out mid-send (the row becomes `unknown` and is settled by asking the provider). `messages`: who
        the messages are from; `payment_links`, `unsubscribe_links`: asked per send (none: no links).
        `send_concurrency`: sends in flight at once, never two to one customer (1: one after another)."""
        self.sessions = sessions
        bind = sessions.kw.get("bind")
        if not isinstance(bind, Engine):
            raise TypeError("the dispatcher needs a sessionmaker bound to an Engine")
        self.engine = bind
        self.clock = clock
        self.channels = channels
        self.gate = gate
        self.worker_id = worker_id
        self.lease = timedelta(seconds=lease_seconds)
        margin = lease_seconds / 2 if send_margin_seconds is None else send_margin_seconds
        self.margin = timedelta(seconds=margin)
        if not timedelta(0) < self.margin < self.lease:
            raise ValueError(f"send_margin_seconds={margin} must be above 0 and below lease_seconds")
        self.batch_size = batch_size
        if send_concurrency < 1:
            raise ValueError(f"send_concurrency={send_concurrency} must be at least 1")
        self.send_concurrency = send_concurrency
        self.chunk = max(CHUNK, send_concurrency)
        self.fresh = timedelta(seconds=FRESH_SECONDS)  # the oldest verdict a send may act on
        self.profiles_for = profiles_for or (lambda _facts: ())
        self.messages = messages or MessageConfig(Business("Arrears test sender"))
        self.payment_links = payment_links
        self.unsubscribe_links = unsubscribe_links
        self._printed: dict[str, PrintedFacts] = {}  # the current chunk's invoices and street lines
        self._seen_at = clock.now()  # when opt-outs and holds were last looked for
        self.disclosures_for = disclosures_for or (lambda _facts, _decision: RenderedDisclosures())
        self.retry_for = retry_for or (lambda _name, _version: RetrySettings())
        self.spacing_for = spacing_for or (lambda _name, _version: Spacing())

    def run_once(self) -> DispatchStats:
        stats = DispatchStats()
        expired = expire_leases(self.sessions, self.clock.now(), self.retry_for, self.batch_size)
        stats.unknown, stats.reviewed = expired.unknown, expired.reviewed
        stats.reconciled = reconcile_unknown(
            self.sessions, self.channels, self.clock, self.worker_id, self.lease, CHUNK
        )
        with CustomerLocks(self.engine) as locks:
            now = self.clock.now()
            claimed = self._claim(now, locks)
            stats.claimed = len(claimed)
            if claimed:
                faults.reach(FaultPoint.DISPATCH_AFTER_LEASE)
                fence = LeaseFence(self.sessions, self.worker_id, self.lease, self.margin, now + self.lease)
                self._dispatch(claimed, fence, now, stats)
        return stats

    def run_until_idle(self, max_batches: int = 1_000_000) -> DispatchStats:
        total = DispatchStats()
        for _ in range(max_batches):
            stats = self.run_once()
            for name in vars(total):
                setattr(total, name, getattr(total, name) + getattr(stats, name))
            if stats.claimed == 0:
                break
        return total

    def _dispatch(
        self, claimed: Sequence[Any], fence: LeaseFence, now: datetime, stats: DispatchStats
    ) -> None:
        """Send the batch a chunk at a time: look for new opt-outs and holds, renew the lease when it runs
        short, judge and render the chunk, send it (`engine/sending.py`), and record it. With several sends
        in flight, the next chunk is judged while this one's sends are out (its customers wait for the
        chunk after). Rows that had to wait (the lease ran short, the verdict got old) go round again."""
        with self.sessions() as session:
            facts = load_case_facts(session, list({row.case_id for row in claimed}), now)
        queue, flight, idle, self._seen_at = list(claimed), None, 0, now
        many = self.send_concurrency > 1
        with ThreadPoolExecutor(self.send_concurrency) if many else nullcontext() as pool:
            while queue or flight is not None:
                chunk, queue = take_chunk(queue, self.chunk, flight)
                following = self._start(chunk, queue, flight, facts, fence, stats, pool) if chunk else None
                if following is not None and pool is None:
                    flight, following = following, None  # one send at a time: record before judging more
                if flight is not None:
                    waiting = settle(flight.collect(), facts, flight.writes, stats, self._retry_or_fail)
                    waiting += flight.later
                    idle = idle + 1 if len(waiting) == len(flight.rows) else 0
                    if idle and (flight.renewed or idle > 2):  # renewing took half a lease: give back
                        for row in [*waiting, *queue]:
                            error = "lease renewal too slow"
                            flight.writes.release(row, self.clock.now(), error=error, count_attempt=False)
                        waiting, queue = [], []
                    faults.reach(FaultPoint.DISPATCH_BEFORE_RECORD)
                    with transaction(self.sessions) as session:
                        flight.writes.flush(session)
                        faults.reach(FaultPoint.DISPATCH_INSIDE_RECORD)
                    queue = [*waiting, *queue]
                flight = following
        stats.renewals += fence.renewals

    def _start(
        self,
        chunk: list[Any],
        queue: list[Any],
        flight: Flight | None,
        facts: dict[str, CaseFacts],
        fence: LeaseFence,
        stats: DispatchStats,
        pool: Executor | None,
    ) -> Flight:
        """Refresh, renew if short, judge and render `chunk`, and start its sends."""
        refreshed, self._seen_at = self._refresh(chunk, facts, self._seen_at)
        facts.update(refreshed)
        with self.sessions() as session:  # one read per chunk: what its messages print
            self._printed = load_printed_facts(session, list({row.case_id for row in chunk}))
        renewed = not fence.ready(self.clock.now())
        if renewed:
            out = [item.row for item in flight.planned] if flight is not None else []
            fence.renew([*chunk, *queue, *out], self.clock.now())
        writes = DeliveryWrites(self.worker_id, self.clock.now())
        planned, later = self._prepare(chunk, facts, writes, stats, fence)
        rules = SendRules(fence, self.clock, self.fresh, self.margin)
        return Flight(chunk, planned, later, writes, renewed, start_all(planned, rules, pool))

    def _claim(self, now: datetime, locks: CustomerLocks) -> list[Any]:
        with transaction(self.sessions) as session:
            query = (
                select(*_COLUMNS)
                .where(OutboxAction.status == "pending", OutboxAction.not_before <= now)
                # Reproducible: a customer's actions go out in the order they were planned.
                .order_by(
                    OutboxAction.not_before,
                    OutboxAction.customer_id,
                    OutboxAction.created_at,
                    OutboxAction.step_id,
                )
                .limit(self.batch_size)
            )
            rows = list(session.execute(lock_skipping_locked(session, query)).all())
            held = locks.acquire(row.customer_id for row in rows)
            rows = [row for row in rows if row.customer_id in held]  # others are another worker's now
            if rows:
                session.execute(
                    update(OutboxAction)
                    .where(OutboxAction.id.in_([r.id for r in rows]))
                    .values(
                        status="leased",
                        lease_owner=self.worker_id,
                        lease_expires_at=now + self.lease,
                        attempts=OutboxAction.attempts + 1,
                    )
                )
        return rows

    def _refresh(
        self, chunk: Sequence[Any], facts: dict[str, CaseFacts], since: datetime
    ) -> tuple[dict[str, CaseFacts], datetime]:
        """Reload the facts of customers whose opt-outs or holds changed since we last looked."""
        now = self.clock.now()
        customers = list({row.customer_id for row in chunk})
        with self.sessions() as session:
            changed = set(
                session.scalars(
                    select(OptOut.customer_id)
                    .where(OptOut.customer_id.in_(customers), OptOut.at >= since)
                    .union(
                        select(Hold.customer_id).where(
                            Hold.customer_id.in_(customers), Hold.created_at >= since
                        )
                    )
                )
            )
            if changed:
                cases = [row.case_id for row in chunk if row.customer_id in changed]
                facts = {**facts, **load_case_facts(session, cases, now)}
        return facts, now

    def _prepare(
        self,
        chunk: Sequence[Any],
        facts: dict[str, CaseFacts],
        writes: DeliveryWrites,
        stats: DispatchStats,
        fence: LeaseFence,
    ) -> tuple[list[Planned], list[Any]]:
        """Judge and render each row in order; an allowed row counts toward the caps of those after it.
        Stops where the lease runs short (a slow gate must not eat the margin): the rest wait."""
        planned: list[Planned] = []
        for position, row in enumerate(chunk):
            if not fence.ready(self.clock.now()):
                return planned, list(chunk[position:])
            if not fence.holds(row.id):
                stats.fenced += 1  # another worker took it over while this one was slow or paused
                continue
            fact = facts.get(row.case_id)
            decision = self._judge(row, fact, writes, stats)
            channel = self.channels.get(row.channel)
            if decision is None or fact is None:
                continue
            if channel is None:
                writes.mark_finished(row, "failed", f"no channel configured for {row.channel}")
                stats.failed += 1
                continue
            at = self.clock.now()
            try:
                message = self._message(row, fact, decision, at)
            except MessageError as exc:  # an unknown template or an unfilled variable: this action fails
                writes.mark_finished(row, "failed", f"message not rendered: {exc}")
                stats.failed += 1
                continue
            except ChannelError as exc:  # the payment-link provider (Stripe) is down: nothing left, retry
                self._retry_or_fail(row, fact, f"payment link not made: {exc}", writes, stats)
                continue
            planned.append(Planned(row, fact, decision, channel, message, at, count_send(facts, row, at)))
        return planned, []

    def _judge(
        self, row: Any, facts: CaseFacts | None, writes: DeliveryWrites, stats: DispatchStats
    ) -> Decision | None:
        """The gate's verdict at this instant; None when the row does not go now (recorded as such)."""
        if facts is None or facts.status == "closed":
            writes.mark_finished(row, "cancelled", "case closed before sending")
            stats.cancelled += 1
            return None
        spacing = self.spacing_for(facts.strategy_name, facts.strategy_version)
        if (held := spacing_hold(spacing, row, facts, self.clock.now())) is not None:
            writes.release(row, held.until, count_attempt=False)  # the case sent too recently: later
            writes.mark_deferred(row, held.decision)
            stats.deferred += 1
            return None
        destination = Destination(row.destination, DestinationKind(row.destination_kind))
        decision = self.gate.decide(
            gate_request(
                facts,
                row.channel,
                destination,
                self.clock.now(),  # not the chunk's start: a slow chunk lasts minutes, windows close
                profiles=self.profiles_for(facts),
                purpose=Purpose(row.payload.get("purpose", Purpose.COLLECTION.value)),
            )
        )
        if decision.verdict is Verdict.DEFER and decision.not_before is not None:
            writes.release(row, decision.not_before, count_attempt=False)
            writes.mark_deferred(row, decision.to_json())
            stats.deferred += 1
            return None
        if decision.verdict is not Verdict.ALLOW:
            writes.mark_finished(row, "refused", "refused by the contact gate", decision.to_json())
            stats.refused += 1
            return None
        return decision

    def _retry_or_fail(
        self,
        row: Any,
        facts: CaseFacts,
        error: str,
        writes: DeliveryWrites,
        stats: DispatchStats,
        *,
        final: bool = False,
    ) -> None:
        """A definite failure retries with the backoff of the case's strategy, up to its attempt limit."""
        stats.failed += 1
        settings = self.retry_for(facts.strategy_name, facts.strategy_version)
        decision = after_delivery(settings, DeliveryOutcome.FAILED, row.attempts + 1, writes.now)
        if final or decision.move is not RetryMove.RETRY or decision.at is None:
            writes.mark_finished(row, "failed", error)
        else:
            writes.release(row, decision.at, error=error, count_attempt=True)

    def _message(self, row: Any, facts: CaseFacts, decision: Decision, now: datetime) -> OutboundMessage:
        """The message as it leaves now; its payment link is made here, outside any transaction."""
        links = Links(self.payment_links, self.unsubscribe_links)
        return outbound(row, facts, self._printed.get(row.case_id), decision.to_json(), self, links, now)


__all__ = ["DispatchStats", "Dispatcher"]
