"""What a dispatch chunk learned, recorded in one transaction of set-based statements.

Sends are recorded after the fact, a chunk at a time. A crash between a send and its record leaves the row
leased; the lease expires, the row becomes `unknown`, and reconciliation asks the channel. So batching the
bookkeeping never risks a second send, only a short delay in the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, insert, or_, update
from sqlalchemy.orm import Session

from arrears import audit
from arrears.audit import record_many
from arrears.core.ids import new_id
from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.models import Interaction, OutboxAction


@dataclass
class DeliveryWrites:
    worker_id: str
    now: datetime
    sent: list[dict[str, Any]] = field(default_factory=list)
    finished: list[dict[str, Any]] = field(default_factory=list)  # refused | cancelled | failed
    released: list[dict[str, Any]] = field(default_factory=list)  # back to pending at a later time
    interactions: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    new_actions: list[dict[str, Any]] = field(default_factory=list)  # follow-ups (validation notice)

    def mark_sent(self, row: Any, provider: str, provider_id: str | None, decision: dict[str, Any]) -> None:
        self.sent.append({"b_id": row.id, "b_provider_id": provider_id})
        self._interaction(row, "sent", decision, provider=provider, provider_id=provider_id)
        self.audit.append(
            self._audit("action_sent", row.id, {"channel": row.channel, "provider_id": provider_id})
        )

    def mark_finished(
        self, row: Any, status: str, error: str | None, decision: dict[str, Any] | None = None
    ) -> None:
        self.finished.append({"b_id": row.id, "b_status": status, "b_error": error})
        if status == "refused":
            self._interaction(row, "refused", decision)
        self.audit.append(self._audit(f"action_{status}", row.id, {"error": error} if error else {}))

    def mark_deferred(self, row: Any, decision: dict[str, Any]) -> None:
        """The gate held a planned action back; it is back in the queue at `not_before`, once per hold."""
        self._interaction(row, "deferred", decision)

    def release(
        self, row: Any, not_before: datetime, *, error: str | None = None, count_attempt: bool
    ) -> None:
        self.released.append(
            {
                "b_id": row.id,
                "b_not_before": not_before,
                "b_error": error,
                "b_refund": 0 if count_attempt else 1,
            }
        )

    def _interaction(
        self,
        row: Any,
        status: str,
        decision: dict[str, Any] | None,
        *,
        provider: str | None = None,
        provider_id: str | None = None,
    ) -> None:
        self.interactions.append(
            {
                "id": new_id(),
                "case_id": row.case_id,
                "customer_id": row.customer_id,
                "outbox_id": row.id,
                "channel": row.channel,
                "direction": "outbound",
                "destination": row.destination,
                "destination_kind": row.destination_kind,
                "provider": provider,
                "provider_id": provider_id,
                "status": status,
                "connected": False,
                "conversation": False,
                "planned_at": row.created_at,
                "occurred_at": self.now,
                "decision": decision,
                "transcript_redacted": None,
                "detail": {"template": row.template, "step_id": row.step_id},
            }
        )

    def _audit(self, action: str, entity_id: str, data: dict[str, Any]) -> dict[str, Any]:
        return audit.entry(
            at=self.now, actor=self.worker_id, action=action, entity="outbox", entity_id=entity_id, data=data
        )

    def flush(self, session: Session) -> None:
        table: Table = OutboxAction.__table__  # type: ignore[assignment]
        owned = and_(
            table.c.id == bindparam("b_id"),
            table.c.lease_owner == self.worker_id,
            or_(table.c.status == "leased", table.c.status == "unknown"),  # executemany cannot expand IN
        )
        if self.sent:
            session.execute(
                update(table)
                .where(owned)
                .values(
                    status="sent",
                    provider_id=bindparam("b_provider_id"),
                    sent_at=self.now,
                    lease_owner=None,
                    lease_expires_at=None,
                ),
                self.sent,
            )
        if self.finished:
            session.execute(
                update(table)
                .where(owned)
                .values(
                    status=bindparam("b_status"),
                    last_error=bindparam("b_error"),
                    lease_owner=None,
                    lease_expires_at=None,
                ),
                self.finished,
            )
        if self.released:
            session.execute(
                update(table)
                .where(owned)
                .values(
                    status="pending",
                    not_before=bindparam("b_not_before"),
                    last_error=bindparam("b_error"),
                    attempts=table.c.attempts - bindparam("b_refund"),
                    lease_owner=None,
                    lease_expires_at=None,
                ),
                self.released,
            )
        if self.interactions:
            session.execute(insert(Interaction), self.interactions)
        insert_ignoring_duplicates(session, table, self.new_actions, ["idempotency_key"])
        record_many(session, self.audit)
