"""A customer with an open case, built through real events, for the conversation tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.store.models import Case
from tests.events.support import deliver, invoice_created

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # a Tuesday, 10:00 in New York
PHONE = "+12125550143"
POSTCODE = "10001"


def seed_case(sessions: sessionmaker[Session], *, phone: str = PHONE) -> str:
    """Dana owes 243.50 USD on one invoice due 2026-02-01; returns the case id."""
    body = invoice_created(
        1,
        account="acct-1",
        customer="cust-1",
        amount="243.50",
        customer_name="Dana Reyes",
        phone=phone,
        country="US",
        state="NY",
        postal_code=POSTCODE,
        time_zone="America/New_York",
    )
    body["currency"] = "USD"
    body["invoice_number" if "invoice_number" in body else "number"] = "INV-1001"
    with sessions.begin() as session:
        assert deliver(session, "seed-1", body, NOW) == "done"
    with sessions() as session:
        return session.scalars(select(Case.id)).one()
