"""After a crash or a stall: expired leases become `unknown`, and unknown sends are settled by the provider.

A lease that ran out means a sender died or hung mid-send: the outcome is unknown, not failed. The case's
strategy says what to do (`retry.on_unknown`): `review` sends the row to a person with a task at once;
`reconcile` asks the channel (`Channel.lookup`) `retry.reconcile_after_minutes` after the lease ran out, when
a slow sender has surely finished. Only a definite "never sent" puts the row back in the queue; "sent" is
recorded as sent (with the validation notice a first contact owes); a channel that cannot tell sends the row
to review with a task, because a person must decide whether to risk a second message.

No provider call happens inside a database transaction: a reconciler first claims rows (owner and a short
lease, committed), asks the provider with no transaction open, then records each answer in a new short
transaction that only writes if the claim is still its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, Select, select, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.audit import record
from arrears.casefacts.load import load_case_facts
from arrears.channels.base import Channel, ChannelError, DeliveryResult, DeliveryStatus
from arrears.core import faults
from arrears.core.clock import Clock, as_utc
from arrears.core.faults import FaultPoint
from arrears.core.ids import idempotency_key
from arrears.engine.delivery_writes import DeliveryWrites
from arrears.engine.notices import record_sent
from arrears.store.db import transaction
from arrears.store.models import Case, OutboxAction
from arrears.strategy.routing import DeliveryResult as DeliveryOutcome
from arrears.strategy.routing import RetryMove, after_delivery
from arrears.strategy.schema import RetrySettings
from arrears.tasks import TaskSpec, open_task

log = logging.getLogger(__name__)

RetryFor = Callable[[str, int], RetrySettings]


@dataclass
class Expired:
    unknown: int = 0  # waiting for the provider to be asked
    reviewed: int = 0  # sent to a person at once (`on_unknown: review`)


def expire_leases(sessions: sessionmaker[Session], now: datetime, retry_for: RetryFor, limit: int) -> Expired:
    """Turn leases that ran out into `unknown` (asked about later) or `review`, as each case's strategy says.

    The row keeps its lease owner: a sender that was only slow can still record the send it made.
    """
    found = Expired()
    with transaction(sessions) as session:
        query = (
            select(
                OutboxAction.id,
                OutboxAction.case_id,
                OutboxAction.attempts,
                OutboxAction.lease_expires_at,
                Case.strategy_name,
                Case.strategy_version,
            )
            .outerjoin(Case, Case.id == OutboxAction.case_id)
            .where(OutboxAction.status == "leased", OutboxAction.lease_expires_at < now)
            .limit(limit)
        )
        for row in session.execute(_skip_locked(session, query)).all():
            settings = _retry_settings(retry_for, row.strategy_name, row.strategy_version)
            expired_at = as_utc(row.lease_expires_at)
            move = after_delivery(settings, DeliveryOutcome.UNKNOWN, row.attempts, expired_at)
            still_expired = (
                OutboxAction.id == row.id,
                OutboxAction.status == "leased",
                OutboxAction.lease_expires_at < now,
            )
            if move.move is RetryMove.REVIEW:
                why = "send interrupted (lease ran out); the strategy sends unknown outcomes to review"
                session.execute(
                    update(OutboxAction).where(*still_expired).values(status="review", last_error=why)
                )
                open_review_task(session, row.id, row.case_id, row.attempts, now, asked_provider=False)
                found.reviewed += 1
            else:
                session.execute(
                    update(OutboxAction).where(*still_expired).values(status="unknown", not_before=move.at)
                )
                found.unknown += 1
    return found


def _retry_settings(retry_for: RetryFor, name: str | None, version: int | None) -> RetrySettings:
    """The case strategy's retry settings; the defaults (reconcile after an hour, never resend blind) when
    this deployment no longer has that strategy version, so one stray row cannot stop every expiry."""
    if name is None or version is None:
        return RetrySettings()
    try:
        return retry_for(name, version)
    except KeyError:
        log.warning("strategy not found for an expired lease", extra={"strategy": name, "version": version})
        return RetrySettings()


@dataclass(frozen=True)
class _Claimed:
    id: str
    idempotency_key: str
    case_id: str
    customer_id: str
    channel: str
    destination: str | None
    destination_kind: str | None
    template: str
    step_id: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


def reconcile_unknown(
    sessions: sessionmaker[Session],
    channels: Mapping[str, Channel],
    clock: Clock,
    worker_id: str,
    claim: timedelta,
    limit: int,
) -> int:
    """Settle unknown rows whose time to ask has come; returns how many were settled. Lookups stop when the
    claim runs out (a slow provider): the rest are anyone's again."""
    settled = 0
    now = clock.now()
    for row in _claim(sessions, worker_id, now, claim, limit):
        if clock.now() >= now + claim:
            break
        channel = channels.get(row.channel)
        try:
            found = channel.lookup(row.idempotency_key) if channel is not None else None
        except ChannelError as exc:
            _ask_again_later(sessions, row, worker_id, clock.now(), claim, str(exc))
            continue
        faults.reach(FaultPoint.RECONCILE_AFTER_LOOKUP)
        with transaction(sessions) as session:
            settled += _settle(session, row, found, worker_id, clock.now())
    return settled


def _claim(
    sessions: sessionmaker[Session], worker_id: str, now: datetime, claim: timedelta, limit: int
) -> list[_Claimed]:
    """Take unknown rows that are due (and not claimed by a live reconciler) for `claim`, committed."""
    fields = [getattr(OutboxAction, name) for name in _Claimed.__dataclass_fields__]
    with transaction(sessions) as session:
        query = (
            select(*fields)
            .where(
                OutboxAction.status == "unknown",
                OutboxAction.not_before <= now,
                OutboxAction.lease_expires_at < now,
            )
            .order_by(OutboxAction.not_before)
            .limit(limit)
        )
        rows = [_Claimed(*row) for row in session.execute(_skip_locked(session, query)).all()]
        if rows:
            session.execute(
                update(OutboxAction)
                .where(OutboxAction.id.in_([r.id for r in rows]), OutboxAction.status == "unknown")
                .values(lease_owner=worker_id, lease_expires_at=now + claim)
            )
    return rows


def _settle(
    session: Session, row: _Claimed, found: DeliveryResult | None, worker_id: str, now: datetime
) -> int:
    """Record the provider's answer, only while the claim is still ours; returns 1 when it was recorded."""
    if found is not None and found.status is DeliveryStatus.SENT:
        facts = load_case_facts(session, [row.case_id], now).get(row.case_id)
        writes = DeliveryWrites(worker_id, now)
        sent = (found.provider, found.provider_id)
        record_sent(writes, row, facts, sent, row.payload.get("decision"), now, detail={"reconciled": True})
        return len(writes.flush(session))
    ours = (
        OutboxAction.id == row.id,
        OutboxAction.status == "unknown",
        OutboxAction.lease_owner == worker_id,
    )
    free = {"lease_owner": None, "lease_expires_at": None}
    if found is not None:  # the provider says it never got it: back in the queue, now
        result = _update(session, ours, status="pending", not_before=now, **free)
        if result:
            data = {"reason": "channel confirms it was never sent"}
            record(
                session,
                at=now,
                actor=worker_id,
                action="action_requeued",
                entity="outbox",
                entity_id=row.id,
                data=data,
            )
        return result
    why = "send interrupted; provider cannot confirm"
    result = _update(session, ours, status="review", last_error=why, **free)
    if result:
        open_review_task(session, row.id, row.case_id, row.attempts, now, asked_provider=True)
    return result


def confirm_sent(session: Session, outbox_id: str, *, actor: str, now: datetime) -> bool:
    """A person checked with the provider that a send under review (outcome unknown) did leave: record it
    as sent, with the validation notice a first contact owes, exactly as reconciliation would have. Rejecting
    the resend instead would leave the notice unsent. For the review task's "it was sent" answer; returns
    False when the row is not a send under review (a held first action of a new strategy has attempts 0)."""
    fields = [getattr(OutboxAction, name) for name in _Claimed.__dataclass_fields__]
    found = session.execute(
        select(*fields).where(
            OutboxAction.id == outbox_id, OutboxAction.status == "review", OutboxAction.attempts > 0
        )
    ).one_or_none()
    if found is None:
        return False
    row = _Claimed(*found)
    _update(session, (OutboxAction.id == outbox_id, OutboxAction.status == "review"), lease_owner=actor)
    facts = load_case_facts(session, [row.case_id], now).get(row.case_id)
    writes = DeliveryWrites(actor, now)
    sent = ("confirmed by a person", None)
    record_sent(writes, row, facts, sent, row.payload.get("decision"), now, detail={"confirmed_by": actor})
    return bool(writes.flush(session))


def _ask_again_later(
    sessions: sessionmaker[Session], row: _Claimed, worker_id: str, now: datetime, wait: timedelta, error: str
) -> None:
    """The lookup itself failed (provider down): give the claim back and ask again after `wait`."""
    log.warning("lookup failed", extra={"outbox_id": row.id, "channel": row.channel, "error": error})
    with transaction(sessions) as session:
        ours = (
            OutboxAction.id == row.id,
            OutboxAction.status == "unknown",
            OutboxAction.lease_owner == worker_id,
        )
        _update(session, ours, not_before=now + wait, lease_expires_at=now)


def _update(session: Session, where: tuple[Any, ...], **values: Any) -> int:
    result: CursorResult[Any] = session.execute(update(OutboxAction).where(*where).values(**values))  # type: ignore[assignment]
    return int(result.rowcount or 0)


def _skip_locked(session: Session, query: Select[Any]) -> Select[Any]:
    """Row claims on the outbox only (never the joined case): FOR UPDATE OF ... SKIP LOCKED on PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True, of=OutboxAction)
    return query


def open_review_task(
    session: Session, outbox_id: str, case_id: str, attempt: int, now: datetime, *, asked_provider: bool
) -> None:
    """The one place a send of unknown outcome becomes a person's task (once per row and attempt)."""
    summary = (
        "A send was interrupted and the provider cannot say whether it left. "
        if asked_provider
        else "A send was interrupted; this case's strategy sends such sends to a person. "
    ) + "Check with the provider, then resolve: sent_confirmed (it left) or resend (it did not)."
    spec = TaskSpec(
        idempotency_key=idempotency_key("unknown", outbox_id, attempt),
        case_id=case_id,
        reason="delivery_unknown",  # arrears.engine.review.DELIVERY_UNKNOWN
        summary=summary,
        priority=2,
        team="operations",
        context={"outbox_id": outbox_id, "asked_provider": asked_provider},
    )
    open_task(session, spec, actor="reconciler", now=now)
