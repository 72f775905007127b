"""Source-system events: their schemas, storing them in the inbox once, and applying them to the store.

stored = store_event(session, source="api:ab12", external_id=key, event=parse_event(body), now=now)
if stored.created:
    apply_event(session, stored.event, now, resolve_strategy)
"""

from arrears.events.errors import EventError
from arrears.events.handler import ApplyResult, apply_event
from arrears.events.inbox import Stored, inbox_id, store_event
from arrears.events.schemas import (
    EVENT_ADAPTER,
    EVENT_TYPES,
    CustomerUpdated,
    Event,
    InvoiceCreated,
    InvoicePaid,
    InvoiceUpdated,
    PaymentReceived,
    parse_event,
)

__all__ = [
    "EVENT_ADAPTER",
    "EVENT_TYPES",
    "ApplyResult",
    "CustomerUpdated",
    "Event",
    "EventError",
    "InvoiceCreated",
    "InvoicePaid",
    "InvoiceUpdated",
    "PaymentReceived",
    "Stored",
    "apply_event",
    "inbox_id",
    "parse_event",
    "store_event",
]
