"""Source-system events: their schemas, and applying billing events to the store.

The inbox (`arrears.inbox`) stores every event once; its handler table maps the billing kinds to
`billing_handler(resolve_strategy)` and `message.received` to the conversation path for words.
"""

from arrears.events.errors import EventError
from arrears.events.handler import BILLING_KINDS, apply_event, billing_handler
from arrears.events.schemas import (
    EVENT_ADAPTER,
    EVENT_TYPES,
    CustomerUpdated,
    Event,
    InvoiceCreated,
    InvoicePaid,
    InvoiceUpdated,
    MessageReceived,
    PaymentReceived,
    parse_event,
)

__all__ = [
    "BILLING_KINDS",
    "EVENT_ADAPTER",
    "EVENT_TYPES",
    "CustomerUpdated",
    "Event",
    "EventError",
    "InvoiceCreated",
    "InvoicePaid",
    "InvoiceUpdated",
    "MessageReceived",
    "PaymentReceived",
    "apply_event",
    "billing_handler",
    "parse_event",
]
