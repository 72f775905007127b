"""The dispatcher: lease ready outbox rows, ask the gate once more, send, record, never send twice.

A row is leased in its own committed transaction before anything leaves. If the process dies mid-send,
the lease expires and the row becomes `unknown`: it is reconciled by asking the channel whether the
message left (`Channel.lookup`), never blindly resent. Sends must finish well inside the lease.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.audit import record
from arrears.channels.base import Channel, ChannelError, DeliveryResult, DeliveryStatus, OutboundMessage
from arrears.compliance.model import ContactGate, Decision, DestinationKind, Verdict
from arrears.core.clock import Clock
from arrears.core.ids import idempotency_key, new_id
from arrears.core.money import format_minor
from arrears.engine.contact import Destination, gate_request
from arrears.engine.facts import CaseFacts, load_case_facts
from arrears.engine.render import render
from arrears.store.bulk import insert_ignoring_duplicates, lock_skipping_locked
from arrears.store.db import transaction
from arrears.store.models import Hold, Interaction, OptOut, OutboxAction, Task

BACKOFF = (timedelta(minutes=30), timedelta(hours=4), timedelta(days=1))
MAX_ATTEMPTS = 3


@dataclass
class DispatchStats:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    refused: int = 0
    failed: int = 0
    cancelled: int = 0
    unknown: int = 0
    reconciled: int = 0


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: str
    key: str
    case_id: str
    customer_id: str
    channel: str
    destination: str
    destination_kind: str
    template: str
    payload: dict[str, Any]
    attempts: int


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
        payment_link: Callable[[str], str] | None = None,
        disclosures: Mapping[str, str] | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.channels = channels
        self.gate = gate
        self.worker_id = worker_id
        self.lease = timedelta(seconds=lease_seconds)
        self.batch_size = batch_size
        self.profiles_for = profiles_for or (lambda _facts: ())
        self.payment_link = payment_link or (lambda case_id: f"https://pay.arrears.local/c/{case_id}")
        self.disclosures = disclosures or {}

    def run_once(self) -> DispatchStats:
        stats = DispatchStats()
        self._expire_leases(stats)
        self._reconcile_unknown(stats)
        claimed = self._claim()
        stats.claimed = len(claimed)
        if not claimed:
            return stats
        snapshot_at = self.clock.now()
        with self.sessions() as session:
            facts = load_case_facts(session, list({c.case_id for c in claimed}), snapshot_at)
        for row in claimed:
            self._deliver(row, facts.get(row.case_id), snapshot_at, stats)
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

    # -- leasing -----------------------------------------------------------------------------------
    def _claim(self) -> list[_Claimed]:
        now = self.clock.now()
        with transaction(self.sessions) as session:
            query = (
                select(
                    OutboxAction.id,
                    OutboxAction.idempotency_key,
                    OutboxAction.case_id,
                    OutboxAction.customer_id,
                    OutboxAction.channel,
                    OutboxAction.destination,
                    OutboxAction.destination_kind,
                    OutboxAction.template,
                    OutboxAction.payload,
                    OutboxAction.attempts,
                )
                .where(OutboxAction.status == "pending", OutboxAction.not_before <= now)
                .order_by(OutboxAction.not_before)
                .limit(self.batch_size)
            )
            rows = [_Claimed(*r) for r in session.execute(lock_skipping_locked(session, query))]
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

    def _expire_leases(self, stats: DispatchStats) -> None:
        """A lease that ran out means a sender died or hung mid-send: the outcome is unknown, not failed."""
        now = self.clock.now()
        with transaction(self.sessions) as session:
            result = session.execute(
                update(OutboxAction)
                .where(OutboxAction.status == "leased", OutboxAction.lease_expires_at < now)
                .values(status="unknown")
            )
            stats.unknown += int(getattr(result, "rowcount", 0) or 0)

    def _reconcile_unknown(self, stats: DispatchStats) -> None:
        """Ask each channel whether an unknown message left; only a definite 'never sent' is retried."""
        now = self.clock.now()
        with transaction(self.sessions) as session:
            query = select(
                OutboxAction.id,
                OutboxAction.idempotency_key,
                OutboxAction.channel,
                OutboxAction.case_id,
                OutboxAction.customer_id,
                OutboxAction.destination,
                OutboxAction.destination_kind,
            ).where(OutboxAction.status == "unknown", OutboxAction.lease_expires_at < now - self.lease)
            for outbox_id, key, channel_name, case_id, customer_id, dest, dest_kind in session.execute(
                lock_skipping_locked(session, query.limit(self.batch_size))
            ).all():
                channel = self.channels.get(channel_name)
                found = channel.lookup(key) if channel is not None else None
                if found is not None and found.status is DeliveryStatus.SENT:
                    self._record_sent(
                        session,
                        outbox_id,
                        case_id,
                        customer_id,
                        channel_name,
                        dest,
                        dest_kind,
                        found,
                        None,
                        now,
                        owner=None,
                    )
                    stats.reconciled += 1
                elif found is not None:
                    session.execute(
                        update(OutboxAction)
                        .where(OutboxAction.id == outbox_id)
                        .values(status="pending", lease_owner=None, lease_expires_at=None)
                    )
                    stats.reconciled += 1
                else:
                    session.execute(
                        update(OutboxAction).where(OutboxAction.id == outbox_id).values(status="review")
                    )
                    _open_task(
                        session,
                        case_id,
                        f"unknown:{outbox_id}",
                        "delivery_unknown",
                        now,
                        "A send was interrupted and the provider cannot say whether it left. "
                        "Check with the provider before approving a resend.",
                    )

    # -- delivery ----------------------------------------------------------------------------------
    def _deliver(
        self, row: _Claimed, facts: CaseFacts | None, snapshot_at: datetime, stats: DispatchStats
    ) -> None:
        now = self.clock.now()
        if facts is None or facts.status == "closed":
            self._finish(row, "cancelled", now, error="case closed before sending")
            stats.cancelled += 1
            return
        if self._changed_since(row.customer_id, snapshot_at):
            # An opt-out, cease or hold arrived while this batch was in flight: judge on fresh facts.
            with self.sessions() as session:
                fresh = load_case_facts(session, [row.case_id], now).get(row.case_id)
            if fresh is None:
                self._finish(row, "cancelled", now, error="case gone")
                stats.cancelled += 1
                return
            facts = fresh
        destination = Destination(row.destination, DestinationKind(row.destination_kind))
        decision = self.gate.decide(
            gate_request(facts, row.channel, destination, now, profiles=self.profiles_for(facts))
        )
        if decision.verdict is Verdict.DEFER and decision.not_before is not None:
            self._release(row, decision.not_before)
            stats.deferred += 1
            return
        if decision.verdict is not Verdict.ALLOW:
            self._refuse(row, decision, now)
            stats.refused += 1
            return
        channel = self.channels.get(row.channel)
        if channel is None:
            self._finish(row, "failed", now, error=f"no channel configured for {row.channel}")
            stats.failed += 1
            return
        message = self._message(row, facts, decision)
        try:
            result = channel.send(message)
        except ChannelError as exc:
            self._retry_or_fail(row, now, str(exc), stats)
            return
        if result.status is not DeliveryStatus.SENT:
            self._retry_or_fail(
                row,
                now,
                result.error or result.status.value,
                stats,
                final=result.status is DeliveryStatus.REJECTED,
            )
            return
        with transaction(self.sessions) as session:
            self._record_sent(
                session,
                row.id,
                row.case_id,
                row.customer_id,
                row.channel,
                row.destination,
                row.destination_kind,
                result,
                decision,
                now,
                owner=self.worker_id,
            )
        stats.sent += 1

    def _message(self, row: _Claimed, facts: CaseFacts, decision: Decision) -> OutboundMessage:
        today = self.clock.now().date()
        promise = None
        if facts.promise is not None:
            promise = (
                f"{format_minor(facts.promise.amount_minor, facts.currency)} {facts.currency}",
                facts.promise.due_on.isoformat(),
            )
        payload = dict(row.payload)
        payload["decision"] = decision.to_json()
        rendered = render(
            template=row.template,
            tone=str(row.payload.get("tone", "neutral")),
            channel=row.channel,
            customer_name=facts.customer_name,
            balance_minor=facts.balance_minor,
            currency=facts.currency,
            days_past_due=(today - facts.oldest_due_on).days,
            payload=payload,
            disclosures=self.disclosures,
            payment_link=self.payment_link(facts.case_id)
            if row.payload.get("payment_link") or row.channel in ("sms", "email", "whatsapp")
            else None,
            promise=promise,
        )
        return OutboundMessage(
            idempotency_key=row.key,
            channel=row.channel,
            destination=row.destination,
            body=rendered.body,
            subject=rendered.subject,
            headers=rendered.headers,
            case_id=row.case_id,
            customer_id=row.customer_id,
        )

    def _changed_since(self, customer_id: str, since: datetime) -> bool:
        with self.sessions() as session:
            opt_out = exists().where(OptOut.customer_id == customer_id, OptOut.at >= since)
            hold = exists().where(Hold.customer_id == customer_id, Hold.created_at >= since)
            return bool(session.execute(select(or_(opt_out, hold))).scalar())

    def _owned(self, row_id: str) -> Any:
        return and_(
            OutboxAction.id == row_id,
            OutboxAction.lease_owner == self.worker_id,
            OutboxAction.status.in_(("leased", "unknown")),
        )

    def _release(self, row: _Claimed, not_before: datetime) -> None:
        with transaction(self.sessions) as session:
            session.execute(
                update(OutboxAction)
                .where(self._owned(row.id))
                .values(
                    status="pending",
                    not_before=not_before,
                    lease_owner=None,
                    lease_expires_at=None,
                    attempts=OutboxAction.attempts - 1,
                )
            )

    def _finish(self, row: _Claimed, status: str, now: datetime, *, error: str | None = None) -> None:
        with transaction(self.sessions) as session:
            session.execute(
                update(OutboxAction)
                .where(self._owned(row.id))
                .values(status=status, last_error=error, lease_owner=None, lease_expires_at=None)
            )
            record(
                session,
                at=now,
                actor=self.worker_id,
                action=f"action_{status}",
                entity="outbox",
                entity_id=row.id,
                data={"error": error} if error else {},
            )

    def _retry_or_fail(
        self, row: _Claimed, now: datetime, error: str, stats: DispatchStats, *, final: bool = False
    ) -> None:
        attempts = row.attempts + 1
        if final or attempts >= MAX_ATTEMPTS:
            self._finish(row, "failed", now, error=error)
            stats.failed += 1
            return
        with transaction(self.sessions) as session:
            session.execute(
                update(OutboxAction)
                .where(self._owned(row.id))
                .values(
                    status="pending",
                    not_before=now + BACKOFF[min(attempts - 1, len(BACKOFF) - 1)],
                    last_error=error,
                    lease_owner=None,
                    lease_expires_at=None,
                )
            )
        stats.failed += 1

    def _refuse(self, row: _Claimed, decision: Decision, now: datetime) -> None:
        with transaction(self.sessions) as session:
            session.execute(
                update(OutboxAction)
                .where(self._owned(row.id))
                .values(status="refused", lease_owner=None, lease_expires_at=None)
            )
            session.execute(
                insert(Interaction).values(
                    id=new_id(),
                    case_id=row.case_id,
                    customer_id=row.customer_id,
                    outbox_id=row.id,
                    channel=row.channel,
                    direction="outbound",
                    destination=row.destination,
                    destination_kind=row.destination_kind,
                    status="refused",
                    planned_at=now,
                    occurred_at=now,
                    decision=decision.to_json(),
                    detail={"template": row.template},
                )
            )

    def _record_sent(
        self,
        session: Session,
        outbox_id: str,
        case_id: str,
        customer_id: str,
        channel: str,
        destination: str,
        destination_kind: str | None,
        result: DeliveryResult,
        decision: Decision | None,
        now: datetime,
        *,
        owner: str | None,
    ) -> None:
        condition = (
            self._owned(outbox_id)
            if owner
            else and_(OutboxAction.id == outbox_id, OutboxAction.status == "unknown")
        )
        updated = session.execute(
            update(OutboxAction)
            .where(condition)
            .values(status="sent", provider_id=result.provider_id, sent_at=now, lease_owner=None)
        )
        if not getattr(updated, "rowcount", 0):
            return  # someone else already recorded it
        session.execute(
            insert(Interaction).values(
                id=new_id(),
                case_id=case_id,
                customer_id=customer_id,
                outbox_id=outbox_id,
                channel=channel,
                direction="outbound",
                destination=destination,
                destination_kind=destination_kind,
                provider=result.provider,
                provider_id=result.provider_id,
                status="sent",
                connected=False,
                conversation=False,
                planned_at=now,
                occurred_at=now,
                decision=decision.to_json() if decision else None,
                detail={},
            )
        )
        record(
            session,
            at=now,
            actor=owner or "reconciler",
            action="action_sent",
            entity="outbox",
            entity_id=outbox_id,
            data={"channel": channel, "provider_id": result.provider_id},
        )


def _open_task(session: Session, case_id: str, key: str, reason: str, now: datetime, summary: str) -> None:
    insert_ignoring_duplicates(
        session,
        Task.__table__,
        [
            {
                "id": new_id(),
                "case_id": case_id,
                "idempotency_key": idempotency_key(key),
                "reason": reason,
                "team": "operations",
                "priority": 2,
                "due_at": now + timedelta(hours=4),
                "status": "open",
                "summary": summary,
                "context": {},
                "created_at": now,
                "closed_at": None,
            }
        ],
        ["idempotency_key"],
    )
