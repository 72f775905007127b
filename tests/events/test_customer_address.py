"""Postal street lines on invoice.created and customer.updated, as the import takes them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.events import parse_event
from arrears.store.models import Customer
from tests.events.support import deliver, invoice_created


def test_street_lines_are_kept_and_updated_only_when_sent(sessions: sessionmaker[Session]) -> None:
    created = invoice_created(
        1, account="a1", customer="c1", address_line1="12 Main St", address_line2="Apt 4"
    )
    with sessions.begin() as session:
        deliver(session, "e1", created)
        deliver(session, "e2", {"type": "customer.updated", "customer_external_id": "c1", "tier": "gold"})
        deliver(
            session, "e3", {"type": "customer.updated", "customer_external_id": "c1", "address_line2": None}
        )
    with sessions() as session:
        found = session.execute(select(Customer.address_line1, Customer.address_line2)).one()
        assert tuple(found) == ("12 Main St", None)


def test_a_street_line_over_256_characters_is_refused() -> None:
    with pytest.raises(ValidationError, match="address_line1"):
        parse_event({"type": "customer.updated", "customer_external_id": "c1", "address_line1": "x" * 257})
