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
