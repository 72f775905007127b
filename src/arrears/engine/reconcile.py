"""After a crash: expired leases become `unknown`, and unknown sends are settled by asking the channel.

Only a definite "never sent" from the channel puts a row back in the queue; a channel that cannot tell
sends the row to review with a task, because a person must decide whether to risk a second message.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.audit import record
from arrears.channels.base import Channel, DeliveryStatus
from arrears.core.ids import idempotency_key, new_id
from arrears.store.bulk import insert_ignoring_duplicates, lock_skipping_locked
from arrears.store.db import transaction
from arrears.store.models import Interaction, OutboxAction, Task


def expire_leases(sessions: sessionmaker[Session], now: datetime) -> int:
    """A lease that ran out means a sender died or hung mid-send: the outcome is unknown, not failed."""
    with transaction(sessions) as session:
        result = session.execute(
            update(OutboxAction)
            .where(OutboxAction.status == "leased", OutboxAction.lease_expires_at < now)
            .values(status="unknown")
        )
        return int(getattr(result, "rowcount", 0) or 0)


def reconcile_unknown(
    sessions: sessionmaker[Session],
    channels: Mapping[str, Channel],
    now: datetime,
    grace: timedelta,
    limit: int,
) -> int:
    """Settle unknown rows whose lease ended more than `grace` ago (a slow sender has surely finished)."""
    settled = 0
    with transaction(sessions) as session:
        query = select(
            OutboxAction.id,
            OutboxAction.idempotency_key,
            OutboxAction.channel,
            OutboxAction.case_id,
            OutboxAction.customer_id,
            OutboxAction.destination,
            OutboxAction.destination_kind,
            OutboxAction.created_at,
        ).where(OutboxAction.status == "unknown", OutboxAction.lease_expires_at < now - grace)
        for row in session.execute(lock_skipping_locked(session, query.limit(limit))).all():
            channel = channels.get(row.channel)
            found = channel.lookup(row.idempotency_key) if channel is not None else None
            if found is not None and found.status is DeliveryStatus.SENT:
                session.execute(
                    update(OutboxAction)
                    .where(OutboxAction.id == row.id)
                    .values(status="sent", provider_id=found.provider_id, sent_at=now, lease_owner=None)
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
                        provider=found.provider,
                        provider_id=found.provider_id,
                        status="sent",
                        planned_at=row.created_at,
                        occurred_at=now,
                        detail={"reconciled": True},
                    )
                )
                record(
                    session,
                    at=now,
                    actor="reconciler",
                    action="action_sent",
                    entity="outbox",
                    entity_id=row.id,
                    data={"reconciled": True},
                )
            elif found is not None:
                session.execute(
                    update(OutboxAction)
                    .where(OutboxAction.id == row.id)
                    .values(status="pending", lease_owner=None, lease_expires_at=None)
                )
                record(
                    session,
                    at=now,
                    actor="reconciler",
                    action="action_requeued",
                    entity="outbox",
                    entity_id=row.id,
                    data={"reason": "channel confirms it was never sent"},
                )
            else:
                session.execute(
                    update(OutboxAction)
                    .where(OutboxAction.id == row.id)
                    .values(status="review", last_error="send interrupted; provider cannot confirm")
                )
                insert_ignoring_duplicates(
                    session,
                    Task.__table__,
                    [
                        {
                            "id": new_id(),
                            "case_id": row.case_id,
                            "idempotency_key": idempotency_key("unknown", row.id),
                            "reason": "delivery_unknown",
                            "team": "operations",
                            "owner": None,
                            "priority": 2,
                            "due_at": now + timedelta(hours=4),
                            "status": "open",
                            "context": {"outbox_id": row.id},
                            "summary": "A send was interrupted and the provider cannot say whether it left. "
                            "Check with the provider before approving a resend.",
                            "created_at": now,
                            "closed_at": None,
                        }
                    ],
                    ["idempotency_key"],
                )
            settled += 1
    return settled
