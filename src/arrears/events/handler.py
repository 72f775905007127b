"""Apply one inbox event to the store: all of it, or none of it and the inbox row says why.

The work runs in a savepoint inside the caller's transaction. If the event contradicts the store (unknown
account, invoice of another account, a payment id reused with another amount) the savepoint is rolled back,
the row is marked `failed` with the field and reason, and the caller's transaction stays usable: nothing is
half-written. A row already `done` is skipped, and every change compares before it writes, so applying the
same event again leaves the store identical.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.orm import Session

from arrears.audit import record_many
from arrears.cases.sync import StrategyResolver, SyncResult, sync_cases
from arrears.events.customers import apply_customer_updated
from arrears.events.errors import EventError
from arrears.events.invoices import Applied, apply_invoice_created, apply_invoice_paid, apply_invoice_updated
from arrears.events.payments import apply_payment_received
from arrears.events.schemas import (
    CustomerUpdated,
    Event,
    InvoiceCreated,
    InvoicePaid,
    InvoiceUpdated,
    PaymentReceived,
    parse_event,
)
from arrears.store.models import InboxEvent


@dataclass(frozen=True)
class ApplyResult:
    status: str  # done | failed | skipped (already done)
    error: EventError | None = None
    sync: SyncResult | None = None


def apply_event(
    session: Session, event: InboxEvent, now: datetime, resolve_strategy: StrategyResolver
) -> ApplyResult:
    """Apply a pending (or previously failed) inbox event and record its outcome on the row."""
    if event.status == "done":
        return ApplyResult("skipped")
    try:
        parsed = parse_event(event.payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"][1:]) or "type"
        return _fail(event, EventError(field, first["msg"], kind="invalid_payload"), now)
    try:
        with session.begin_nested():
            applied = _dispatch(session, parsed, now)
            session.flush()
            sync = None
            if applied.account_id is not None:
                sync = sync_cases(
                    session, now=now, resolve_strategy=resolve_strategy, account_ids=[applied.account_id]
                )
            _audit(session, event, applied, now)
    except EventError as exc:
        return _fail(event, exc, now)
    event.status = "done"
    event.error = None
    event.processed_at = now
    session.flush()
    return ApplyResult("done", sync=sync)


def _fail(event: InboxEvent, error: EventError, now: datetime) -> ApplyResult:
    event.status = "failed"
    event.error = str(error)
    event.processed_at = now
    return ApplyResult("failed", error=error)


_HANDLERS: dict[type[object], Callable[[Session, Event, datetime], Applied]] = {
    InvoiceCreated: apply_invoice_created,  # type: ignore[dict-item]
    InvoiceUpdated: apply_invoice_updated,  # type: ignore[dict-item]
    InvoicePaid: apply_invoice_paid,  # type: ignore[dict-item]
    PaymentReceived: apply_payment_received,  # type: ignore[dict-item]
}


def _dispatch(session: Session, event: Event, now: datetime) -> Applied:
    if isinstance(event, CustomerUpdated):
        customer_id, changed = apply_customer_updated(session, event, now)
        applied = Applied()
        applied.note("customer", customer_id, changed)
        return applied
    return _HANDLERS[type(event)](session, event, now)


def _audit(session: Session, event: InboxEvent, applied: Applied, now: datetime) -> None:
    """One entry per record the event changed, naming fields (never values: they can be personal data)."""
    record_many(
        session,
        [
            {
                "at": now,
                "actor": event.source[:64],
                "action": event.kind,
                "entity": entity,
                "entity_id": entity_id,
                "data": {"event_id": event.id, "fields": sorted(set(fields))},
            }
            for (entity, entity_id), fields in applied.changes.items()
        ],
    )
