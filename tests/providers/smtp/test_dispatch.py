"""Email through the real dispatcher to a real SMTP server: the system built from ARREARS_SMTP_* settings
(the fake's env), debtors planned and dispatched, and what the server received parsed back."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import Engine, select

from arrears.core.clock import SimulatedClock
from arrears.fakes.smtp import SmtpFake
from arrears.providers.smtp import SmtpEmail
from arrears.settings import Settings
from arrears.store.models import Interaction, OutboxAction
from arrears.system import System, build_system
from tests.engine.portfolio import add_debtor, open_cases

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 11:00 in New York, a Tuesday
BUSINESS = "Northwind & Sons"


def _system(engine: Engine, fake: SmtpFake, tmp_path: Path, clock: SimulatedClock) -> System:
    smtp = {key.removeprefix("ARREARS_").lower(): value for key, value in fake.env.items()}
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings.model_validate(
        {
            "database_url": url,
            "outbox_dir": tmp_path / "out",
            "agent_business_name": BUSINESS,
            "public_base_url": "https://pay.northwind.example",
        }
        | smtp
    )
    return build_system(settings, clock=clock, engine=engine)


def _debtors(system: System, emails: list[str]) -> None:
    """Consumers two days overdue: the strategy's reminder email (with its payment link) is due now."""
    with system.sessions.begin() as session:
        for address in emails:
            add_debtor(
                session, now=START, due_on=START.date() - timedelta(days=2), email=address, mobile=None
            )
    open_cases(system.sessions, START)


def _run(system: System) -> None:
    worker = system.worker(worker_id="smtp-test")
    worker.planner.run_until_idle()
    worker.dispatcher.run_until_idle()


def _rows(system: System) -> dict[str, OutboxAction]:
    """Every email action by idempotency key."""
    with system.sessions() as session:
        rows = session.scalars(select(OutboxAction).where(OutboxAction.channel == "email")).all()
    return {row.idempotency_key: row for row in rows}


def _by_address(system: System, step: str = "reminder-email") -> dict[str | None, OutboxAction]:
    return {row.destination: row for row in _rows(system).values() if row.step_id == step}


def _parse(data: bytes) -> EmailMessage:
    parsed = message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_each_outbox_action_leaves_as_one_complete_message(
    engine: Engine, start_fake: Callable[..., SmtpFake], tmp_path: Path
) -> None:
    fake = start_fake("starttls", auth=True)
    system = _system(engine, fake, tmp_path, SimulatedClock(START))
    email = system.channels["email"]
    assert isinstance(getattr(email, "inner", email), SmtpEmail)  # it replaces the local sink
    addresses = [f"debtor{n}@example.com" for n in range(3)]
    _debtors(system, addresses)
    _run(system)
    _run(system)  # a second pass sends nothing again

    rows = _rows(system)  # each debtor's reminder, and the validation notice that follows a first contact
    assert (
        sorted(row.destination or "" for row in rows.values() if row.step_id == "reminder-email") == addresses
    )
    assert {row.status for row in rows.values()} == {"sent"}
    ids = [_parse(r.data)["Message-ID"] for r in fake.received]
    assert sorted(ids) == sorted(f"<{key}@acme.example>" for key in rows)  # one message per action
    assert {r.mail_from for r in fake.received} == {"collections@acme.example"}
    with system.sessions() as session:
        provider_ids = dict(
            session.execute(select(Interaction.outbox_id, Interaction.provider_id)).tuples().all()
        )
    for received in fake.received:
        mail = _parse(received.data)
        row = rows[mail["X-Arrears-Idempotency-Key"]]
        assert received.rcpt_tos == (row.destination,)
        _check_headers(mail, row)
        assert provider_ids[row.id] == mail["Message-ID"]  # what inbound replies and bounces are matched on
        _check_parts(mail, payment_link=row.step_id == "reminder-email")
        unsubscribe = str(mail["List-Unsubscribe"]).split(">")[0].lstrip("<")
        for kind in ("plain", "html"):  # the opt-out the header offers is offered in words too
            assert unsubscribe in mail.get_body(preferencelist=(kind,)).get_content()  # type: ignore[union-attr]


def _check_headers(mail: EmailMessage, row: OutboxAction) -> None:
    assert mail["From"].addresses[0].display_name == BUSINESS
    assert mail["From"].addresses[0].addr_spec == "collections@acme.example"
    assert mail["To"] == row.destination
    assert mail["Subject"] and "{" not in mail["Subject"]
    assert mail["Date"].datetime == START
    assert mail["Message-ID"] == f"<{row.idempotency_key}@acme.example>"
    assert mail["X-Arrears-Idempotency-Key"] == row.idempotency_key
    unsubscribe = str(mail["List-Unsubscribe"])
    assert unsubscribe.startswith("<https://pay.northwind.example/") and "mailto:" in unsubscribe
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def _check_parts(mail: EmailMessage, *, payment_link: bool) -> None:
    assert mail.get_content_type() == "multipart/alternative"
    plain, html = (mail.get_body(preferencelist=(kind,)) for kind in ("plain", "html"))
    assert plain is not None and html is not None
    text, page = plain.get_content(), html.get_content()
    if payment_link:
        links = re.findall(r"https://pay\.northwind\.example/pay/[^\s\"<>)]+", text)
        assert links, "the payment link is in the text part"
        assert all(link in page for link in links)  # and in the HTML
        for part in (text, page):  # the invoice summary
            assert "INV-" in part and "Balance due: $120.00" in part
    for part in (text, page):
        assert "stop receiving these messages" in part  # the opt-out in words
    for part in (text, page):
        assert "{{" not in part and "None" not in part and "[" not in part


def test_a_451_is_retried_later_and_a_550_is_rejected_for_good(
    engine: Engine, start_fake: Callable[..., SmtpFake], tmp_path: Path
) -> None:
    fake = start_fake("none")
    clock = SimulatedClock(START)
    system = _system(engine, fake, tmp_path, clock)
    _debtors(system, ["busy@example.com", "gone@example.com"])
    fake.refuse("busy@example.com", 451)
    fake.refuse("gone@example.com", 550)
    _run(system)

    rows = _by_address(system)
    busy, gone = rows["busy@example.com"], rows["gone@example.com"]
    assert gone.status == "failed" and gone.last_error is not None
    assert gone.last_error.startswith("smtp 550") and "@" not in gone.last_error  # no address kept
    assert busy.status == "pending" and busy.attempts == 1 and busy.not_before > START
    assert fake.received == []

    fake.accept("busy@example.com")
    clock.advance(timedelta(minutes=31))  # the strategy's first backoff is 30 minutes
    _run(system)
    rows = _by_address(system)
    assert rows["busy@example.com"].status == "sent" and rows["gone@example.com"].status == "failed"
    assert {r.rcpt_tos for r in fake.received} == {("busy@example.com",)}  # the reminder, then its notice
