"""Stripe payment links through the official SDK against the fake: the exact form Stripe receives, one
Stripe object per idempotency key however often a send is retried, and Stripe's errors handled."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.fakes.stripe import FakeStripe
from arrears.payments import LinkRequest
from arrears.providers.stripe import StripePaymentLinks
from arrears.providers.stripe.links import StripeLinkError
from arrears.store.models import PaymentLink
from arrears.system import System
from tests.payments.support import NOW, open_case


def _links(system: System) -> StripePaymentLinks:
    links = system.payment_links
    assert isinstance(links, StripePaymentLinks)  # Stripe replaces the local page
    return links


def _request(sessions: sessionmaker[Session], key: str = "action-1", days: float = 30) -> LinkRequest:
    case = open_case(sessions)
    return LinkRequest(
        idempotency_key=key,
        case_id=case.id,
        customer_id=case.customer_id,
        amount_minor=125_450,
        currency="USD",
        purpose="balance",
        expires_at=NOW + timedelta(days=days),
        description="Invoices INV-1001, INV-1002",
    )


def _metadata(request: LinkRequest) -> dict[str, str]:
    return {
        "arrears_link_key": request.idempotency_key,
        "arrears_case_id": request.case_id,
        "arrears_customer_id": request.customer_id,
        "arrears_purpose": "balance",
        "arrears_invoices": "inv-1,inv-2",
    }


def test_a_link_valid_for_a_day_is_a_checkout_session_with_exactly_these_fields(
    system: System, fake: FakeStripe, sessions: sessionmaker[Session]
) -> None:
    request = _request(sessions, days=0.5)
    issued = _links(system).link_for(request)
    [form] = fake.creations("/v1/checkout/sessions")
    line = {
        "currency": "usd",
        "unit_amount": "125450",
        "product_data": {"name": "Invoices INV-1001, INV-1002"},
    }
    assert form == {
        "mode": "payment",
        "line_items": [{"quantity": "1", "price_data": line}],
        "expires_at": str(int((NOW + timedelta(hours=12)).timestamp())),
        "client_reference_id": request.case_id,
        "metadata": _metadata(request),
        "payment_intent_data": {"metadata": _metadata(request)},
    }
    [session_id] = fake.sessions
    assert issued.url == f"{fake.url}/c/pay/{session_id}" and issued.expires_at == NOW + timedelta(hours=12)
    with sessions() as session:
        row = session.scalars(select(PaymentLink)).one()
    assert (row.provider, row.provider_ref, row.url, row.idempotency_key) == (
        "stripe",
        session_id,
        issued.url,
        "action-1",
    )


def test_a_link_valid_for_30_days_is_a_payment_link_paid_once(
    system: System, fake: FakeStripe, sessions: sessionmaker[Session]
) -> None:
    request = _request(sessions)
    issued = _links(system).link_for(request)
    [form] = fake.creations("/v1/payment_links")
    assert form["restrictions"] == {"completed_sessions": {"limit": "1"}}
    assert form["metadata"] == form["payment_intent_data"]["metadata"] == _metadata(request)
    assert form["line_items"][0]["price_data"]["unit_amount"] == "125450"
    [plink] = fake.links
    assert issued.url == f"{fake.url}/test_{plink}" and issued.expires_at == request.expires_at
    assert fake.creations("/v1/checkout/sessions") == []


def test_one_stripe_call_per_key_however_often_the_send_is_retried(
    system: System, fake: FakeStripe, sessions: sessionmaker[Session]
) -> None:
    links = _links(system)
    request = _request(sessions)
    first = links.link_for(request)
    assert [links.link_for(request) for _ in range(3)] == [first] * 3
    assert links.link_for(replace(request, amount_minor=1)) == first  # the key decides
    assert len(fake.requests) == 1
    other = links.link_for(replace(request, idempotency_key="action-2"))
    assert other.url != first.url and len(fake.links) == 2


def test_a_stripe_outage_is_retried_by_the_sdk_with_the_same_idempotency_key(
    system: System, fake: FakeStripe, sessions: sessionmaker[Session]
) -> None:
    fake.fail_next.append(500)
    issued = _links(system).link_for(_request(sessions))
    assert [key for _, _, _, key in fake.requests] == ["action-1", "action-1"]
    assert len(fake.links) == 1 and issued.url.endswith(next(iter(fake.links)))


@pytest.mark.parametrize("status", [429, 402, 400])
def test_a_refused_call_records_nothing_and_the_next_attempt_makes_the_link(
    system: System, fake: FakeStripe, sessions: sessionmaker[Session], status: int
) -> None:
    links, request = _links(system), _request(sessions)
    fake.fail_next.append(status)
    with pytest.raises(StripeLinkError):
        links.link_for(request)
    with sessions() as session:
        assert session.scalars(select(PaymentLink)).all() == []
    assert links.link_for(request).url.startswith(f"{fake.url}/test_plink_")


def test_a_wrong_request_names_its_field_before_stripe_is_asked(
    system: System, fake: FakeStripe, sessions: sessionmaker[Session]
) -> None:
    links, request = _links(system), _request(sessions)
    for bad, field in (
        (replace(request, amount_minor=0), "amount_minor"),
        (replace(request, purpose="tip"), "purpose"),
        (replace(request, currency="US"), "currency"),
        (replace(request, idempotency_key=""), "idempotency_key"),
    ):
        with pytest.raises(ValueError, match=f"LinkRequest.{field}"):
            links.link_for(bad)
    assert fake.requests == []


def test_a_chat_turn_does_not_call_stripe_inside_its_transaction(system: System) -> None:
    assert system.conversations.payment_links is None  # the agent says a link will follow
