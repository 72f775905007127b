"""Payment links served by this app itself (`/pay/{token}`): the default provider, which charges no card.

One `payment_links` row per idempotency key: the first call inserts it (INSERT ... ON CONFLICT DO NOTHING)
and every call reads it back, so a retried send quotes the URL the first attempt created. The URL carries a
signed token with the row's random id and expiry, nothing else.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import Clock
from arrears.core.ids import new_id
from arrears.payments.links import IssuedLink, LinkRequest, check_link_request
from arrears.payments.secret import LinkSecret
from arrears.payments.tokens import pay_token
from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.db import transaction
from arrears.store.models import PaymentLink

PROVIDER = "local"


class LocalPaymentLinks:
    """`PaymentLinks` on this app's own pages."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, base_url: str, secret: LinkSecret
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.base_url = base_url.rstrip("/")
        self.secret = secret

    def link_for(self, request: LinkRequest) -> IssuedLink:
        """In its own short transaction: called right before a send, outside any other."""
        key = self.secret.key()
        with transaction(self.sessions) as session:
            return self._issue(session, key, request)

    def link_in(self, session: Session, request: LinkRequest) -> IssuedLink:
        """Inside the caller's transaction (a conversation turn, which already holds the write lock)."""
        return self._issue(session, self.secret.key(session), request)

    def _issue(self, session: Session, key: bytes, request: LinkRequest) -> IssuedLink:
        check_link_request(request)
        link_id = new_id()
        row = {
            "id": link_id,
            "idempotency_key": request.idempotency_key,
            "provider": PROVIDER,
            "case_id": request.case_id,
            "customer_id": request.customer_id,
            "currency": request.currency,
            "amount_minor": request.amount_minor,
            "purpose": request.purpose,
            "url": f"{self.base_url}/pay/{pay_token(key, link_id, request.expires_at)}",
            "provider_ref": None,
            "expires_at": request.expires_at,
            "created_at": self.clock.now(),
            "opened_at": None,
            "paid_at": None,
        }
        insert_ignoring_duplicates(session, cast(Table, PaymentLink.__table__), [row], ("idempotency_key",))
        stored = session.execute(
            select(PaymentLink.url, PaymentLink.expires_at).where(
                PaymentLink.idempotency_key == request.idempotency_key
            )
        ).one()
        return IssuedLink(stored.url, stored.expires_at)
