"""Apply one billing event (invoices, payments, customers) from the inbox to the store.

The inbox runs each event in its own transaction and keeps its status: if the event contradicts the store
(unknown account, invoice of another account, a payment id reused with another amount) this raises an
`EventError` naming the field, the transaction rolls back and nothing is half-written. Every change
compares before it writes, so applying the same event again leaves the store identical.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from arrears.audit import record_many
from arrears.cases.sync import StrategyResolver, sync_cases
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

#: The kinds this module applies (the composition root maps each to `billing_handler`).
BILLING_KINDS = ("invoice.created", "invoice.updated", "invoice.paid", "payment.received", "customer.updated")


def billing_handler(
    resolve_strategy: StrategyResolver,
) -> Callable[[Session, InboxEvent, datetime], Mapping[str, Any]]:
    """The inbox handler for billing events, with the deployment's strategy resolver bound in."""

    def handle(session: Session, event: InboxEvent, now: datetime) -> Mapping[str, Any]:
        return apply_event(session, event, now, resolve_strategy)

    return handle


def apply_event(
    session: Session, event: InboxEvent, now: datetime, resolve_strategy: StrategyResolver
) -> dict[str, Any]:
    """Apply the stored event; returns what its case sync did. Raises EventError on a contradiction."""
    try:
        parsed = parse_event(event.payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"][1:]) or "type"
        raise EventError(field, first["msg"], kind="invalid_payload") from None
    applied = _dispatch(session, parsed, now)
    session.flush()
    result: dict[str, Any] = {}
    if applied.account_id is not None:
        sync = sync_cases(
            session, now=now, resolve_strategy=resolve_strategy, account_ids=[applied.account_id]
        )
        result = {"opened": sync.opened, "updated": sync.updated, "closed": sync.closed}
    _audit(session, event, applied, now)
    return result


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
    handler = _HANDLERS.get(type(event))
    if handler is None:
        raise EventError("type", f"{event.type} is not a billing event", kind="invalid_payload")
    return handler(session, event, now)


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
