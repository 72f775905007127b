"""Sent messages as they leave the dispatcher, on SQLite and PostgreSQL: the case's open invoices and the
customer's street, a payment link made per send for the balance, RFC 8058 headers, an .eml that parses back
as multipart/alternative dated by the engine's clock, and no consumer notices for a business."""

from __future__ import annotations

import email
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.compliance.gate import ProfileGate
from arrears.core.clock import SimulatedClock
from arrears.core.ids import new_id
from arrears.engine.dispatcher import Dispatcher
from arrears.engine.planner import Planner
from arrears.messages.catalogue import catalogue
from arrears.messages.config import MessageConfig
from arrears.messages.render import Business
from arrears.payments.links import IssuedLink, LinkRequest
from arrears.providers.local.sinks import local_channels
from arrears.settings import Settings
from arrears.store.models import Account, Case, Customer, Invoice, OutboxAction
from arrears.strategy.catalog import StrategyLibrary
from arrears.system.parts import disclosure_texts
from tests.engine.portfolio import add_debtor, open_cases

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 11:00 in New York
VALID = timedelta(days=30)


@dataclass
class Links:
    """The payment-links and unsubscribe interfaces, answering as a provider would and keeping the asks."""

    asked: list[LinkRequest] = field(default_factory=list)

    def link_for(self, request: LinkRequest) -> IssuedLink:
        self.asked.append(request)
        return IssuedLink(f"https://pay.test/p/{request.idempotency_key[:12]}", request.expires_at)

    def url_for(self, idempotency_key: str) -> str:
        return f"https://pay.test/u/{idempotency_key[:12]}"


def _seed(sessions: sessionmaker[Session], kind: str, email_address: str, days: int = 2) -> str:
    with sessions.begin() as session:
        account_id = add_debtor(
            session, now=START, due_on=START.date() - timedelta(days=days), kind=kind, email=email_address
        )
        customer_id = session.scalar(select(Account.customer_id).where(Account.id == account_id))
        name = "Dr. Ada Lovelace" if kind == "person" else "Acme Widgets Ltd"
        session.execute(
            update(Customer)
            .where(Customer.id == customer_id)
            .values(name=name, address_line1="12 Elm Street", address_line2="Apt 4", city="New York")
        )
        for number, balance, status, due in (
            ("INV-7001", 5_000, "open", -2),
            ("INV-7002", 0, "paid", -2),
            ("INV-7003", 5_000, "open", 10),  # not due yet: not part of the balance asked for
        ):
            session.add(
                Invoice(
                    account_id=account_id, source_system="test", external_id=number, number=number,
                    currency="USD", amount_minor=5_000, balance_minor=balance, status=status,
                    issued_on=START.date() - timedelta(days=40), due_on=START.date() + timedelta(days=due),
                    created_at=START, updated_at=START,
                )
            )  # fmt: skip
    return account_id


def _send(sessions: sessionmaker[Session], tmp_path: Path, links: Links) -> None:
    settings = Settings(
        business_name="Acme Recovery", collector_kind="third_party", unsubscribe_email="unsubscribe@acme.test"
    )
    gate = ProfileGate.from_files("third_party")
    clock = SimulatedClock(START)
    open_cases(sessions, START)
    Planner(sessions, clock, StrategyLibrary.load(None), gate).run_until_idle()
    Dispatcher(
        sessions,
        clock,
        local_channels(tmp_path),
        gate,
        worker_id="t",
        disclosures_for=disclosure_texts(gate, settings, slots=True),
        messages=MessageConfig(Business("Acme Recovery"), catalogue(), "unsubscribe@acme.test", VALID),
        payment_links=links,
        unsubscribe_links=links,
    ).run_until_idle()


def _mail(tmp_path: Path, key: str) -> EmailMessage:
    parsed = email.message_from_bytes((tmp_path / "email" / f"{key}.eml").read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _first_email(sessions: sessionmaker[Session]) -> OutboxAction:
    with sessions() as session:
        return session.scalars(
            select(OutboxAction).where(OutboxAction.channel == "email", OutboxAction.status == "sent")
            .order_by(OutboxAction.created_at)
        ).first()  # type: ignore[return-value]  # fmt: skip


def test_a_sent_email_has_invoices_street_link_headers_and_the_simulated_date(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    _seed(sessions, "person", "ada@example.com")
    links = Links()
    _send(sessions, tmp_path, links)
    row = _first_email(sessions)
    mail = _mail(tmp_path, row.idempotency_key)

    assert mail.get_content_type() == "multipart/alternative"
    assert mail["From"].addresses[0].display_name == "Acme Recovery"  # who it is from, not "Arrears"
    assert parsedate_to_datetime(mail["Date"]) == START  # the engine's clock, not the wall clock
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    for part in (text, html):
        assert "INV-7001" in part and "INV-7002" not in part and "INV-7003" not in part  # past due only
        assert f"https://pay.test/p/{row.idempotency_key[:12]}" in part
    assert text.startswith("Hi Ada,") and "Acme Recovery, a debt collector" in text
    assert (
        mail["List-Unsubscribe"].strip()
        == (  # folded onto its own line: RFC 5322 allows it
            f"<https://pay.test/u/{row.idempotency_key[:12]}>, <mailto:unsubscribe@acme.test>"
        )
    )
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    asked = [r for r in links.asked if r.idempotency_key == row.idempotency_key]
    assert len(asked) == 1
    assert (asked[0].amount_minor, asked[0].currency, asked[0].purpose) == (17_000, "USD", "balance")
    assert asked[0].expires_at == START + VALID and "INV-7001" in asked[0].description


def test_letters_carry_the_street_and_texts_the_simulated_time(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    _seed(sessions, "person", "", days=4)  # a text first; without e-mail the validation notice goes by post
    _send(sessions, tmp_path, Links())
    letters = [json.loads(line) for line in (tmp_path / "letter.jsonl").read_text().splitlines()]
    assert letters, "the validation notice of a customer without e-mail goes by post"
    assert "12 Elm Street\nApt 4\nNew York, NY 10001" in letters[0]["body"]
    assert datetime.fromisoformat(letters[0]["sent_at"]) == START


def test_a_business_gets_no_consumer_notices(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    _seed(sessions, "business", "ap@acme.example")
    _send(sessions, tmp_path, Links())
    row = _first_email(sessions)
    text = _mail(tmp_path, row.idempotency_key).get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert text.startswith("Hello Acme Widgets Ltd team,") or text.startswith("Dear Accounts Payable")
    assert "debt collector" not in text and "dispute" not in text
    with sessions() as session:
        notices = session.scalars(select(OutboxAction.id).where(OutboxAction.step_id == "validation-notice"))
        assert list(notices) == []


def test_an_unknown_template_fails_its_action_with_the_reason(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    _seed(sessions, "person", "ada@example.com")
    open_cases(sessions, START)
    with sessions.begin() as session:
        case_id, customer_id = session.execute(select(Case.id, Case.customer_id)).one()
    with sessions.begin() as session:
        session.add(
            OutboxAction(
                id=new_id(), idempotency_key="typo-step", case_id=case_id, customer_id=customer_id,
                kind="contact", step_id="typo", channel="email", destination="ada@example.com",
                destination_kind="personal_email", template="consumer/remindr", payload={"tone": "friendly"},
                status="pending", not_before=START, attempts=0, created_at=START,
            )
        )  # fmt: skip
    _send(sessions, tmp_path, Links())
    with sessions() as session:
        typo = session.scalars(select(OutboxAction).where(OutboxAction.idempotency_key == "typo-step")).one()
    assert typo.status == "failed" and "unknown template 'consumer/remindr'" in (typo.last_error or "")
    assert not (tmp_path / "email" / "typo-step.eml").exists()
