"""The `Channel` interface every delivery mechanism implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class DeliveryStatus(StrEnum):
    SENT = "sent"  # handed to the provider; delivery receipts arrive later as events
    FAILED = "failed"  # definitely not sent; may be retried
    REJECTED = "rejected"  # the provider refused it for good (bad number, blocked)


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    idempotency_key: str
    channel: str
    destination: str
    body: str
    subject: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    case_id: str | None = None
    customer_id: str | None = None
    html: str | None = None  # email only: the HTML alternative of `body`
    sent_at: datetime | None = None  # the clock's time of the send (simulated in the demo): the Date header
    sender_name: str | None = None  # who the message is from (the business name): email's From display name
    template: str | None = None  # the template id it was rendered from (a WhatsApp template is chosen by it)
    #: Named values the text was made of (customer_name, balance, link...): a provider template's variables.
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    status: DeliveryStatus
    provider: str
    provider_id: str | None = None
    error: str | None = None


class Channel(Protocol):
    """A way to reach a customer.

    `lookup` answers, after a crash, whether a message with that key already left: a provider that can
    tell returns the result; one that cannot returns None and the action stays `unknown` for a person.
    """

    name: str

    def send(self, message: OutboundMessage) -> DeliveryResult: ...

    def lookup(self, idempotency_key: str) -> DeliveryResult | None: ...


class ChannelError(RuntimeError):
    """A transient failure talking to a provider; the dispatcher retries with backoff."""
