"""What a dispatch chunk learned, recorded in one transaction of set-based statements.

Sends are recorded after the fact, a chunk at a time. A crash between a send and its record leaves the row
leased; the lease expires, the row becomes `unknown`, and reconciliation asks the channel. So batching the
bookkeeping never risks a second send, only a short delay in the record.

Every write is fenced by ownership: only rows still held by `worker_id` (leased, or unknown after a lease ran
out while the send was in flight) are changed, and only those rows get their interactions, audit entries and
follow-ups. A worker that was paused and resumed, and whose rows another worker has since reconciled, writes
nothing for them: no second `sent` interaction that would count as a second contact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, select, update
from sqlalchemy.orm import Session

from arrears import audit
from arrears.audit import record_many
from arrears.feed import EventKind, event_row, publish_rows
from arrears.interactions import outbound_row, record_rows
from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.models import OutboxAction

#: Whose record may still land: a lease that ran out mid-send (`unknown`) or went to a person under
#: `retry.on_unknown: review` keeps its owner, so the send it made is recorded rather than guessed at.
_MAY_RECORD_SENT = frozenset({"leased", "unknown", "review"})
#: Outcomes that mean "not sent" only apply while nobody else has taken the row over.
_MAY_RECORD_OTHER = frozenset({"leased", "unknown"})


@dataclass
class DeliveryWrites:
    worker_id: str
    now: datetime
    sent: list[dict[str, Any]] = field(default_factory=list)
    finished: list[dict[str, Any]] = field(default_factory=list)  # refused | cancelled | failed
    released: list[dict[str, Any]] = field(default_factory=list)  # back to pending at a later time
    # (outbox row id, row) pairs: written only when that outbox row's own update is.
    interactions: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    audit: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    new_actions: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # follow-ups (notices)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # message.sent / .failed

    def mark_sent(
        self,
        row: Any,
        provider: str,
        provider_id: str | None,
        decision: dict[str, Any],
        *,
        at: datetime | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """`at`: when the provider accepted it (a slow chunk records sends seconds after they left)."""
        when = at or self.now
        self.sent.append({"b_id": row.id, "b_provider_id": provider_id, "b_sent_at": when})
        self._interaction(row, "sent", decision, provider=provider, provider_id=provider_id, at=when)
        data = {"channel": row.channel, "provider_id": provider_id, **(detail or {})}
        self.audit.append((row.id, self._audit("action_sent", row.id, data)))

    def mark_finished(
        self, row: Any, status: str, error: str | None, decision: dict[str, Any] | None = None
    ) -> None:
        self.finished.append({"b_id": row.id, "b_status": status, "b_error": error})
        if status == "refused":
            self._interaction(row, "refused", decision)
        elif status == "failed":  # no attempt left, or the provider refused it for good
            data = {"channel": row.channel, "outbox_id": row.id, "step_id": row.step_id, "status": status}
            failed = event_row(
                EventKind.MESSAGE_FAILED,
                row.id,
                self.now,
                case_id=row.case_id,
                customer_id=row.customer_id,
                data=data,
            )
            self.events.append((row.id, failed))
        self.audit.append(
            (row.id, self._audit(f"action_{status}", row.id, {"error": error} if error else {}))
        )

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

    def follow_up(self, row_id: str, action: dict[str, Any]) -> None:
        """Queue `action` (idempotency-keyed) if and when the record of row `row_id` lands."""
        self.new_actions.append((row_id, action))

    def _interaction(
        self,
        row: Any,
        status: str,
        decision: dict[str, Any] | None,
        *,
        provider: str | None = None,
        provider_id: str | None = None,
        at: datetime | None = None,
    ) -> None:
        when = at or self.now
        values = outbound_row(
            case_id=row.case_id,
            customer_id=row.customer_id,
            channel=row.channel,
            status=status,
            at=when,
            outbox_id=row.id,
            destination=row.destination,
            destination_kind=row.destination_kind,
            provider=provider,
            provider_id=provider_id,
            planned_at=row.created_at,
            decision=decision,
            detail={"template": row.template, "step_id": row.step_id},
        )
        self.interactions.append((row.id, values))
        kind = {"sent": EventKind.MESSAGE_SENT, "refused": EventKind.MESSAGE_FAILED}.get(status)
        if kind is not None:
            data = {"channel": row.channel, "outbox_id": row.id, "step_id": row.step_id, "status": status}
            if provider_id:
                data["provider_id"] = provider_id
            event = event_row(
                kind, values["id"], when, case_id=row.case_id, customer_id=row.customer_id, data=data
            )
            self.events.append((row.id, event))

    def _audit(self, action: str, entity_id: str, data: dict[str, Any]) -> dict[str, Any]:
        return audit.entry(
            at=self.now, actor=self.worker_id, action=action, entity="outbox", entity_id=entity_id, data=data
        )

    def flush(self, session: Session) -> set[str]:
        """Write what rows this worker still owns; returns the ids of the rows written."""
        table: Table = OutboxAction.__table__  # type: ignore[assignment]
        status = self._owned(session, table)
        sent = [b for b in self.sent if status.get(b["b_id"]) in _MAY_RECORD_SENT]
        finished = [b for b in self.finished if status.get(b["b_id"]) in _MAY_RECORD_OTHER]
        released = [b for b in self.released if status.get(b["b_id"]) in _MAY_RECORD_OTHER]
        written = {b["b_id"] for b in (*sent, *finished, *released)}
        # Locked above; the owner test again in the statement costs nothing and keeps it safe on its own.
        by_id = and_(table.c.id == bindparam("b_id"), table.c.lease_owner == self.worker_id)
        done: dict[str, Any] = {"lease_owner": None, "lease_expires_at": None}
        changes: list[tuple[list[dict[str, Any]], dict[str, Any]]] = [
            (
                sent,
                {
                    "status": "sent",
                    "provider_id": bindparam("b_provider_id"),
                    "sent_at": bindparam("b_sent_at"),
                },
            ),
            (finished, {"status": bindparam("b_status"), "last_error": bindparam("b_error")}),
            (
                released,
                {
                    "status": "pending",
                    "not_before": bindparam("b_not_before"),
                    "last_error": bindparam("b_error"),
                    "attempts": table.c.attempts - bindparam("b_refund"),
                },
            ),
        ]
        for rows, values in changes:
            if rows:
                session.execute(update(table).where(by_id).values(**values, **done), rows)
        record_rows(session, [v for i, v in self.interactions if i in written])
        publish_rows(session, [v for i, v in self.events if i in written])
        follow_ups = [v for i, v in self.new_actions if i in written]
        insert_ignoring_duplicates(session, table, follow_ups, ["idempotency_key"])
        record_many(session, [v for i, v in self.audit if i in written])
        return written

    def _owned(self, session: Session, table: Table) -> dict[str, str]:
        """Lock and read the status of this chunk's rows that are still ours (FOR UPDATE on PostgreSQL:
        a reconciler claiming one of them waits, or skips it, until this record commits)."""
        ids = {b["b_id"] for b in (*self.sent, *self.finished, *self.released)}
        ids |= {i for i, _ in self.interactions}
        if not ids:
            return {}
        query = select(table.c.id, table.c.status).where(
            table.c.id.in_(sorted(ids)), table.c.lease_owner == self.worker_id
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        return {row_id: status for row_id, status in session.execute(query).all()}
