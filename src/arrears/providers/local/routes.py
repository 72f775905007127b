"""`/pay/{token}`: the local provider's payment page and its test-payment button.

A forged or altered token gets 404 and an expired one 410, before the database is read: nothing is
recorded for either. A genuine one shows the amount due now and the open invoices in the customer's locale.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import Clock
from arrears.inbox import Inbox, InboxStatus
from arrears.messages.formatting import money
from arrears.payments.pages import page, problem_page
from arrears.payments.secret import LinkSecret
from arrears.payments.tokens import PayToken, TokenExpired, TokenInvalid, read_pay_token
from arrears.providers.local.pay import open_link, page_values, record_test_payment
from arrears.store.db import transaction
from arrears.store.models import Customer, PaymentLink


def pay_routes(
    sessions: sessionmaker[Session], clock: Clock, secret: LinkSecret, business: str, inbox: Inbox
) -> APIRouter:
    router = APIRouter(tags=["pages"], include_in_schema=False)

    def verified(token: str) -> PayToken | HTMLResponse:
        try:
            return read_pay_token(secret.key(), token, clock.now())
        except TokenExpired:
            return problem_page(
                business, 410, "This link has expired", "Ask us for a new link, or reply to our message."
            )
        except TokenInvalid:
            return _unknown(business)

    @router.get("/pay/{token}", response_class=HTMLResponse)
    def show(token: str) -> HTMLResponse:
        found = verified(token)
        if isinstance(found, HTMLResponse):
            return found
        with transaction(sessions) as session:
            link = open_link(session, found.link_id, clock.now())
            if link is None:
                return _unknown(business)
            return page("pay.html", **page_values(session, link, business))

    @router.post("/pay/{token}", response_class=HTMLResponse)
    def pay(token: str) -> HTMLResponse:
        found = verified(token)
        if isinstance(found, HTMLResponse):
            return found
        with transaction(sessions) as session:
            link = session.get(PaymentLink, found.link_id, with_for_update=True)
            if link is None:
                return _unknown(business)
            applied, due, currency = record_test_payment(session, inbox, link, clock.now())
            if applied is None:
                return page("pay.html", **page_values(session, link, business))
            if applied.status is not InboxStatus.DONE:
                detail = (applied.problem or {}).get("detail") or "The payment could not be applied."
                return problem_page(business, 409, "Payment not recorded", str(detail))
            locale = session.get_one(Customer, link.customer_id).locale
            return page("paid.html", business=business, amount=money(due, currency, locale))

    return router


def _unknown(business: str) -> HTMLResponse:
    return problem_page(
        business, 404, "Link not found", "This link is not valid. Check it was copied in full."
    )
