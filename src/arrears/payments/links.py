"""What a message needs from a payment provider: a link per send, and a one-click unsubscribe URL.

Both are typed interfaces so the engine renders against them while a vendor (the local provider, Stripe
later) stands behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class LinkRequest:
    """What one link is for; the idempotency key makes a retried send quote the link the first made."""

    idempotency_key: str  # the outbox action's key (or a conversation turn's): one link per key
    case_id: str
    customer_id: str
    amount_minor: int
    currency: str
    purpose: str  # "balance" | "offer" | "instalment"
    expires_at: datetime  # aware UTC: an offer's last local day, else now + the configured validity
    description: str  # what is paid, e.g. "Invoices INV-1001, INV-1002"


#: What a link may be for.
LINK_PURPOSES = ("balance", "offer", "instalment")


def check_link_request(request: LinkRequest) -> None:
    """A request the caller got wrong fails here, naming the field, before any provider makes a link."""
    if not request.idempotency_key or len(request.idempotency_key) > 128:
        raise ValueError(f"LinkRequest.idempotency_key: 1 to 128 characters, got {request.idempotency_key!r}")
    if request.purpose not in LINK_PURPOSES:
        raise ValueError(f"LinkRequest.purpose: one of {LINK_PURPOSES}, got {request.purpose!r}")
    if request.amount_minor <= 0:
        raise ValueError(f"LinkRequest.amount_minor: must be positive, got {request.amount_minor}")
    if len(request.currency) != 3 or not request.currency.isalpha():
        raise ValueError(f"LinkRequest.currency: an ISO 4217 code, got {request.currency!r}")
    if request.expires_at.tzinfo is None:
        raise ValueError("LinkRequest.expires_at: must be an aware UTC datetime")


@dataclass(frozen=True, slots=True)
class IssuedLink:
    url: str
    expires_at: datetime


class PaymentLinks(Protocol):
    def link_for(self, request: LinkRequest) -> IssuedLink:
        """Create the link once per idempotency key; the same answer on every later call."""
        ...


class UnsubscribeLinks(Protocol):
    def url_for(self, idempotency_key: str) -> str:
        """The one-click unsubscribe URL for an outbox action's key (pure: no I/O)."""
        ...


@runtime_checkable
class PaymentLinksInSession(Protocol):
    """A provider that can also create a link inside the caller's transaction: a conversation turn holds
    its transaction (and on SQLite the write lock) while the agent's reply quotes the link, so a link made
    in a transaction of its own would wait for the turn's lock."""

    def link_in(self, session: Session, request: LinkRequest) -> IssuedLink: ...
