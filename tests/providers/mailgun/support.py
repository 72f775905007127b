"""Shared by the Mailgun inbound tests: an app with Mailgun's signing key set, a customer with an e-mail
address on file, and the e-mail we sent them (recorded as H1's SMTP channel records it)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.ids import new_id
from arrears.settings import Settings
from arrears.store.models import Case, Interaction, OutboxAction
from tests.events.support import deliver, invoice_created

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # a Tuesday, 10:00 in New York
KEY = "mailgun-test-signing-key"
DANA = "dana.reyes@example.org"
OURS = "billing@mail.brightwater.example"
SENT_KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
SENT_ID = f"{SENT_KEY}@mail.brightwater.example"  # <idempotency key@domain>, as the SMTP channel makes it


def mailgun_settings(database_url: str, outbox: Path) -> Settings:
    return Settings(
        database_url=database_url,
        outbox_dir=outbox,
        mailgun_signing_key=KEY,
        agent_business_name="Brightwater Energy",
        agent_callback_number="555 0100",
    )


def seed_email_case(sessions: sessionmaker[Session], due_on: str = "2026-02-01") -> tuple[str, str]:
    """Dana owes 243.50 USD and gave one e-mail address; returns (case id, customer id)."""
    body = invoice_created(
        1,
        account="acct-1",
        customer="cust-1",
        amount="243.50",
        customer_name="Dana Reyes",
        email=DANA,
        country="US",
        state="NY",
        postal_code="10001",
        time_zone="America/New_York",
        due_on=due_on,
    )
    body["currency"] = "USD"
    with sessions.begin() as session:
        assert deliver(session, "seed-1", body, NOW) == "done"
    with sessions() as session:
        case_id, customer_id = session.execute(select(Case.id, Case.customer_id)).one()
    return str(case_id), str(customer_id)


def seed_sent_email(sessions: sessionmaker[Session], case_id: str, customer_id: str) -> str:
    """Our day-3 e-mail to Dana, sent by SMTP: outbox row and outbound interaction; returns its id."""
    outbox_id, interaction_id = new_id(), new_id()
    with sessions.begin() as session:
        session.execute(
            insert(OutboxAction).values(
                id=outbox_id,
                idempotency_key=SENT_KEY,
                case_id=case_id,
                customer_id=customer_id,
                kind="contact",
                step_id="day-3",
                channel="email",
                destination=DANA,
                destination_kind="personal_email",
                template="reminder",
                payload={},
                status="sent",
                not_before=NOW,
                attempts=1,
                created_at=NOW,
            )
        )
        session.execute(
            insert(Interaction).values(
                id=interaction_id,
                case_id=case_id,
                customer_id=customer_id,
                outbox_id=outbox_id,
                channel="email",
                direction="outbound",
                destination=DANA,
                destination_kind="personal_email",
                provider="smtp",
                provider_id=f"<{SENT_ID}>",
                status="sent",
                occurred_at=NOW,
                detail={},
                delivery_status="sent",
            )
        )
    return interaction_id
