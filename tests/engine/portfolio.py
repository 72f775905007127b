"""Builds small, explicit portfolios straight into the store for engine tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count

from sqlalchemy.orm import Session, sessionmaker

from arrears.cases.sync import sync_cases
from arrears.store.models import Account, Consent, ContactPoint, Customer, Invoice

_seq = count(1)


def add_debtor(
    session: Session,
    *,
    now: datetime,
    due_on: date,
    balance_minor: int = 12_000,
    currency: str = "USD",
    time_zone: str = "America/New_York",
    state: str = "NY",
    country: str = "US",
    email: str | None = "debtor@example.com",
    mobile: str | None = "+12125550123",
    consent: bool = True,
    kind: str = "person",
    segment: str = "retail",
) -> str:
    """One customer with one account and one invoice; returns the account id."""
    n = next(_seq)
    customer = Customer(
        source_system="test",
        external_id=f"c{n}",
        kind=kind,
        name=f"Pat Debtor{n}",
        time_zone=time_zone,
        segment=segment,
        tier="standard",
        country=country,
        state=state,
        postal_code="10001",
        created_at=now,
        updated_at=now,
    )
    session.add(customer)
    session.flush()
    if email:
        session.add(
            ContactPoint(
                customer_id=customer.id,
                channel="email",
                value=email,
                kind="personal",
                is_primary=True,
                created_at=now,
            )
        )
    if mobile:
        session.add(
            ContactPoint(
                customer_id=customer.id,
                channel="phone",
                value=mobile,
                kind="mobile",
                is_primary=True,
                created_at=now,
            )
        )
        if consent:
            for channel in ("sms", "voice"):
                session.add(
                    Consent(
                        customer_id=customer.id,
                        channel=channel,
                        destination=mobile,
                        source="application",
                        granted_at=datetime(2025, 1, 1, tzinfo=UTC),
                    )
                )
    account = Account(customer_id=customer.id, source_system="test", external_id=f"a{n}", created_at=now)
    session.add(account)
    session.flush()
    session.add(
        Invoice(
            account_id=account.id,
            source_system="test",
            external_id=f"i{n}",
            number=f"INV-{n}",
            currency=currency,
            amount_minor=balance_minor,
            balance_minor=balance_minor,
            issued_on=date(due_on.year, 1, 1) if due_on.month > 1 else due_on,
            due_on=due_on,
            created_at=now,
            updated_at=now,
        )
    )
    session.flush()
    return account.id


def open_cases(sessions: sessionmaker[Session], now: datetime, strategy: str = "consumer-overdue") -> None:
    with sessions.begin() as session:
        sync_cases(session, now=now, resolve_strategy=lambda _name: (strategy, 1))
