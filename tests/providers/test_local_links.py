"""The local provider's payment links: one row per idempotency key on both databases, a URL that names no
case, customer or amount, and requests the caller got wrong refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.payments import LinkRequest, PaymentLinks, PaymentLinksInSession
from arrears.payments.secret import LinkSecret
from arrears.payments.tokens import read_pay_token
from arrears.providers.local import LocalPaymentLinks
from arrears.store.models import PaymentLink
from tests.payments.support import NOW, open_case

BASE = "https://pay.example.com/"


@pytest.fixture
def links(sessions: sessionmaker[Session]) -> LocalPaymentLinks:
    clock = SimulatedClock(NOW)
    return LocalPaymentLinks(sessions, clock, BASE, LinkSecret(sessions, clock, "test-secret"))


def _request(sessions: sessionmaker[Session], key: str = "action-1") -> LinkRequest:
    case = open_case(sessions)
    return LinkRequest(
        idempotency_key=key,
        case_id=case.id,
        customer_id=case.customer_id,
        amount_minor=125_450,
        currency="USD",
        purpose="balance",
        expires_at=NOW + timedelta(days=30),
        description="Invoices INV-1001, INV-1002",
    )


def test_one_link_per_key_and_the_same_answer_after(
    links: LocalPaymentLinks, sessions: sessionmaker[Session]
) -> None:
    request = _request(sessions)
    first = links.link_for(request)
    again = links.link_for(replace(request, amount_minor=1, expires_at=NOW + timedelta(days=1)))
    assert again == first and first.expires_at == NOW + timedelta(days=30)
    with sessions() as session:
        row = session.scalars(select(PaymentLink)).one()
    assert (row.url, row.idempotency_key, row.amount_minor, row.provider) == (
        first.url,
        "action-1",
        125_450,
        "local",
    )
    assert (row.opened_at, row.paid_at) == (None, None)
    other = links.link_for(replace(request, idempotency_key="action-2"))
    assert other.url != first.url


def test_the_url_carries_only_a_signed_random_id_and_expiry(
    links: LocalPaymentLinks, sessions: sessionmaker[Session]
) -> None:
    request = _request(sessions)
    url = links.link_for(request).url
    assert url.startswith("https://pay.example.com/pay/")
    for private in (request.case_id, request.customer_id, "125450", "1234.50", request.idempotency_key):
        assert private not in url
    token = read_pay_token(b"test-secret", url.rsplit("/", 1)[1], NOW)
    with sessions() as session:
        assert session.scalars(select(PaymentLink.id)).one() == token.link_id
    assert token.expires_at == request.expires_at


def test_a_link_made_inside_a_callers_transaction_is_the_same_link(
    links: LocalPaymentLinks, sessions: sessionmaker[Session]
) -> None:
    """A conversation turn holds its transaction (on SQLite, the write lock) while it quotes a link."""
    request = _request(sessions)
    with sessions.begin() as session:
        inside = links.link_in(session, request)
    assert links.link_for(request) == inside


def test_the_local_links_satisfy_both_interfaces(links: LocalPaymentLinks) -> None:
    chosen: PaymentLinks = links
    assert isinstance(chosen, PaymentLinksInSession)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purpose": "tip"}, "purpose"),
        ({"amount_minor": 0}, "amount_minor"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"expires_at": NOW.replace(tzinfo=None)}, "expires_at"),
    ],
)
def test_a_request_the_caller_got_wrong_is_refused_naming_the_field(
    links: LocalPaymentLinks, sessions: sessionmaker[Session], change: dict[str, object], field: str
) -> None:
    with pytest.raises(ValueError, match=f"LinkRequest.{field}"):
        links.link_for(replace(_request(sessions), **change))  # type: ignore[arg-type]
    with sessions() as session:
        assert session.scalars(select(PaymentLink)).all() == []
