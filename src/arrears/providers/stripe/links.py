"""Payment links from Stripe: a Checkout Session when the link's validity fits in Checkout's 24 hours, else
a Payment Link (which never expires, limited to one completed payment; see docs/providers/stripe.md).

One Stripe object per idempotency key, made in three steps so no Stripe call runs inside a transaction:
read (a row for the key: its URL, no call), call Stripe with `Idempotency-Key` = our key (a retry after a
crash gets Stripe's first answer back), then insert the row (INSERT ... ON CONFLICT DO NOTHING) and read
it back. There is no `link_in`: a conversation turn holds its transaction while it quotes the link, and
a Stripe call must not run inside one (the agent then says a link will follow, and the message carries it).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session, sessionmaker

import stripe
from arrears.channels.base import ChannelError
from arrears.core.clock import Clock
from arrears.core.ids import new_id
from arrears.payments.links import IssuedLink, LinkRequest, check_link_request
from arrears.providers.stripe.client import CheckoutKind
from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.db import transaction
from arrears.store.models import Case, Invoice, PaymentLink, Promise

log = logging.getLogger(__name__)

PROVIDER = "stripe"
#: Checkout's own limits on `expires_at`, with a margin for the clocks of two machines.
CHECKOUT_MIN = timedelta(minutes=31)
CHECKOUT_MAX = timedelta(hours=23, minutes=55)
_METADATA_VALUE_MAX = 500  # Stripe's limit on one metadata value


class StripeLinkError(ChannelError):
    """Stripe did not make the link (down, rate-limited, or refused the request): the send waits."""


class StripePaymentLinks:
    """`PaymentLinks` on Stripe-hosted pages."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, client: stripe.StripeClient, kind: CheckoutKind
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.client = client
        self.kind = kind

    def link_for(self, request: LinkRequest) -> IssuedLink:
        check_link_request(request)
        with transaction(self.sessions) as session:
            found = _stored(session, request.idempotency_key)
            if found is not None:
                return found
            metadata = link_metadata(session, request)
        now = self.clock.now()
        use_checkout = choose_checkout(self.kind, request.expires_at, now)
        try:
            if use_checkout:
                made = self.client.v1.checkout.sessions.create(
                    cast(Any, checkout_params(request, metadata, now)),
                    {"idempotency_key": request.idempotency_key},
                )
                ref, url, expires = made.id, made.url, datetime.fromtimestamp(made.expires_at, now.tzinfo)
            else:
                plink = self.client.v1.payment_links.create(
                    cast(Any, payment_link_params(request, metadata)),
                    {"idempotency_key": request.idempotency_key},
                )
                ref, url, expires = plink.id, plink.url, request.expires_at
        except stripe.StripeError as exc:
            log.warning("stripe link not created", extra={"error": type(exc).__name__, "code": exc.code})
            raise StripeLinkError(
                f"Stripe refused the payment link: {type(exc).__name__} {exc.code}"
            ) from exc
        if not url:
            raise StripeLinkError(f"Stripe returned {ref} without a url")
        with transaction(self.sessions) as session:
            _insert(session, request, ref, url, expires, now)
            stored = _stored(session, request.idempotency_key)
        assert stored is not None  # inserted just now, or by a racing twin with the same Stripe object
        return stored


def choose_checkout(kind: CheckoutKind, expires_at: datetime, now: datetime) -> bool:
    """A Checkout Session can live at most 24 hours; a longer validity needs a Payment Link."""
    if kind != "auto":
        return kind == "checkout_session"
    return expires_at - now <= CHECKOUT_MAX


def link_metadata(session: Session, request: LinkRequest) -> dict[str, str]:
    """What the payment is for, as Stripe keeps it on the session, the PaymentIntent and its events."""
    case = session.get_one(Case, request.case_id)
    invoices = session.scalars(
        select(Invoice.external_id)
        .where(
            Invoice.account_id == case.account_id,
            Invoice.currency == request.currency,
            Invoice.status == "open",
            Invoice.balance_minor > 0,
        )
        .order_by(Invoice.due_on, Invoice.external_id)
    ).all()
    promise = session.scalar(
        select(Promise.id)
        .where(Promise.case_id == request.case_id, Promise.status == "pending")
        .order_by(Promise.due_on)
        .limit(1)
    )
    metadata = {
        "arrears_link_key": request.idempotency_key,
        "arrears_case_id": request.case_id,
        "arrears_customer_id": request.customer_id,
        "arrears_purpose": request.purpose,
        "arrears_invoices": _joined(invoices),
    }
    if promise is not None:
        metadata["arrears_promise_id"] = promise
    return metadata


def _line_items(request: LinkRequest) -> list[dict[str, Any]]:
    return [
        {
            "quantity": 1,
            "price_data": {
                "currency": request.currency.lower(),
                "unit_amount": request.amount_minor,
                "product_data": {"name": request.description[:250]},
            },
        }
    ]


def checkout_params(request: LinkRequest, metadata: dict[str, str], now: datetime) -> dict[str, Any]:
    expires = min(max(request.expires_at, now + CHECKOUT_MIN), now + CHECKOUT_MAX)
    return {
        "mode": "payment",
        "line_items": _line_items(request),
        "expires_at": int(expires.timestamp()),
        "client_reference_id": request.case_id,
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
    }


def payment_link_params(request: LinkRequest, metadata: dict[str, str]) -> dict[str, Any]:
    return {
        "line_items": _line_items(request),
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "restrictions": {"completed_sessions": {"limit": 1}},
    }


def _joined(values: Any) -> str:
    """Invoice ids that fit in one metadata value; the handler reads the case's invoices from the store."""
    out = ""
    for value in values:
        candidate = f"{out},{value}" if out else str(value)
        if len(candidate) > _METADATA_VALUE_MAX:
            break
        out = candidate
    return out


def _stored(session: Session, key: str) -> IssuedLink | None:
    row = session.execute(
        select(PaymentLink.url, PaymentLink.expires_at).where(PaymentLink.idempotency_key == key)
    ).first()
    return IssuedLink(row.url, row.expires_at) if row is not None else None


def _insert(
    session: Session, request: LinkRequest, ref: str, url: str, expires: datetime, now: datetime
) -> None:
    row = {
        "id": new_id(),
        "idempotency_key": request.idempotency_key,
        "provider": PROVIDER,
        "case_id": request.case_id,
        "customer_id": request.customer_id,
        "currency": request.currency,
        "amount_minor": request.amount_minor,
        "purpose": request.purpose,
        "url": url,
        "provider_ref": ref,
        "expires_at": expires,
        "created_at": now,
        "opened_at": None,
        "paid_at": None,
    }
    insert_ignoring_duplicates(session, cast(Table, PaymentLink.__table__), [row], ("idempotency_key",))
