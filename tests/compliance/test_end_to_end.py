"""The real engine over a week of simulated time, checked by an independent checker from the export.

A portfolio spread over US states (MA, WA, FL, CA, NYC and a customer whose phone is in another zone),
the UK (England and Scotland), India and Germany runs through the Worker with the full profile gate on
a pressure strategy (two calls, a text and an e-mail every day) so windows, caps and holds all bind.
Mid-run the customers text STOP, dispute, and talk on the phone. The attempts export is then checked by
tests/compliance/attempt_checker.py, which shares no code with the gate: no violation is allowed.
Easter 2027 (Good Friday 26 March, Easter Monday 29 March) and the UK clock change (28 March) fall
inside the run.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.core.ids import new_id
from arrears.engine.compliance_lists import designate_place, designate_time, import_do_not_contact
from arrears.export import export
from arrears.settings import Settings
from arrears.store.models import Case, Customer, Hold, Interaction, OptOut
from arrears.system import System, build_system
from tests.compliance.attempt_checker import check, load_customers, load_lists
from tests.engine.portfolio import open_cases

START = datetime(2027, 3, 23, 0, 0, tzinfo=UTC)  # a Tuesday
DAYS = 8
ET, CT, PT = "America/New_York", "America/Chicago", "America/Los_Angeles"


@dataclass(frozen=True)
class Who:
    key: str
    country: str
    state: str | None
    city: str
    postal: str
    zone: str  # the address's true zone (geography), given to the checker
    mobile: str | None
    consent: bool = True
    work_phone: str | None = None


PEOPLE = (
    Who("boston", "US", "MA", "Boston", "02108", ET, "+16175550101"),
    Who("boston-work", "US", "MA", "Cambridge", "02139", ET, None, work_phone="+16175550102"),
    Who("seattle", "US", "WA", "Seattle", "98101", PT, "+12065550103"),
    Who("miami", "US", "FL", "Miami", "33101", ET, "+13055550104"),
    Who("la", "US", "CA", "Los Angeles", "90012", PT, "+12135550105", work_phone="+12135550120"),
    Who("nyc", "US", "NY", "New York", "10001", ET, "+12125550106"),
    Who("split", "US", "MA", "Boston", "02108", ET, "+12135550107"),  # LA mobile, Boston address
    Who("chicago", "US", "IL", "Chicago", "60601", CT, "+13035550108"),  # Denver mobile
    Who("no-consent", "US", "NY", "New York", "10001", ET, "+12125550109", consent=False),
    Who("dnc", "US", "NY", "New York", "10001", ET, "+12125550110"),
    Who("designated", "US", "NY", "New York", "10001", ET, "+12125550111"),
    Who("london", "GB", None, "London", "SW1A 1AA", "Europe/London", "+447911123456"),
    Who("edinburgh", "GB", "SCT", "Edinburgh", "EH1 1YZ", "Europe/London", "+447911123457"),
    Who("hardship", "GB", "ENG", "Leeds", "LS1 1AA", "Europe/London", "+447911123458"),
    Who("mumbai", "IN", "MH", "Mumbai", "400001", "Asia/Kolkata", "+919820012345"),
    Who("berlin", "DE", "BE", "Berlin", "10115", "Europe/Berlin", "+4915112345678"),
)
# (hours after START, who, channel, what they say): STOP, a dispute, a phone conversation.
MESSAGES = (
    (38, "boston", "sms", "STOP"),
    (40, "nyc", "voice", "I can pay on Friday"),
    (62, "miami", "sms", "I dispute this debt, it is not mine"),
)

PRESSURE = "\n".join(
    [
        "name: pressure",
        "version: 1",
        "description: Contact every day on every channel, so that every limit binds.",
        "steps:",
        *(
            f"  - {{id: {kind}-{day}, day: {day}, channel: {channel}, template: {template}, tone: neutral}}"
            for day in range(1, DAYS + 2)
            for kind, channel, template in (
                ("call-a", "voice", "consumer/call-pay-or-promise"),
                ("text", "sms", "consumer/payment-link"),
                ("mail", "email", "consumer/reminder"),
                ("call-b", "voice", "consumer/call-pay-or-promise"),
            )
        ),
        "  - {id: letter-2, day: 2, channel: letter, template: consumer/final-notice, tone: final}",
    ]
)


def _portfolio(sessions: sessionmaker[Session]) -> dict[str, str]:
    """Customers, contact points, consents, invoices; returns customer ids by key."""
    from arrears.store.models import Account, Consent, ContactPoint, Customer, Invoice

    ids: dict[str, str] = {}
    with sessions.begin() as session:
        for n, who in enumerate(PEOPLE):
            customer = Customer(
                source_system="e2e", external_id=who.key, name=f"Pat {who.key}", time_zone=who.zone,
                country=who.country, state=who.state, city=who.city, postal_code=who.postal,
                created_at=START, updated_at=START,
            )  # fmt: skip
            session.add(customer)
            session.flush()
            ids[who.key] = customer.id
            points = [("email", f"{who.key}@mail.example", "personal")]
            if who.mobile:
                points.append(("phone", who.mobile, "mobile"))
            if who.work_phone:
                points.append(("phone", who.work_phone, "work"))
            for i, (channel, value, kind) in enumerate(points):
                session.add(
                    ContactPoint(
                        customer_id=customer.id, channel=channel, value=value, kind=kind,
                        is_primary=i < 2, created_at=START,
                    )
                )  # fmt: skip
            if who.mobile and who.consent:
                for channel in ("sms", "voice"):
                    session.add(
                        Consent(
                            customer_id=customer.id, channel=channel, destination=who.mobile,
                            source="application", granted_at=datetime(2026, 1, 1, tzinfo=UTC),
                        )
                    )  # fmt: skip
            account = Account(
                customer_id=customer.id, source_system="e2e", external_id=f"a{n}", created_at=START
            )
            session.add(account)
            session.flush()
            currency = {"US": "USD", "GB": "GBP", "IN": "INR", "DE": "EUR"}[who.country]
            session.add(
                Invoice(
                    account_id=account.id, source_system="e2e", external_id=f"i{n}", number=f"INV-{n}",
                    currency=currency, amount_minor=50_000, balance_minor=50_000, issued_on=date(2027, 1, 1),
                    due_on=START.date() - timedelta(days=1), created_at=START, updated_at=START,
                )
            )  # fmt: skip
    return ids


def _facts_before_the_run(sessions: sessionmaker[Session], ids: dict[str, str]) -> None:
    with sessions.begin() as session:
        import_do_not_contact(session, "+1 212 555 0110\n", "tenant", START, channel="voice")
        designate_time(session, ids["designated"], "08:00", "13:00", START)
        designate_place(session, ids["la"], START, destination_kind="work_phone")
        session.add(
            Hold(
                customer_id=ids["hardship"], kind="hardship", scope="customer", reason="said so",
                until=START + timedelta(days=3), created_at=START,
            )
        )  # fmt: skip


def _say(system: System, who: Who, channel: str, text: str) -> None:
    """The customer's words arrive the way real ones do: a text relayed through the events API, or a call
    (the terminal's way in: a conversation on the voice channel, stored and applied like a chat)."""
    if channel == "voice":
        with system.sessions() as session:
            case_id = session.scalars(
                select(Case.id)
                .join(Customer, Customer.id == Case.customer_id)
                .where(Customer.external_id == who.key)
            ).one()
        opened = system.inbox.take_now(
            source="terminal",
            external_id=f"open:{who.key}",
            kind="chat.open",
            payload={"case_id": case_id, "channel": "voice"},
        )
        assert opened.result is not None
        conversation_id = opened.result["conversation_id"]
        for n, words in enumerate(("yes, speaking", who.postal, text)):
            payload = {"conversation_id": conversation_id, "text": words}
            system.inbox.take_now(
                source="terminal", external_id=f"{conversation_id}:{n}", kind="chat.message", payload=payload
            )
        return
    assert who.mobile is not None
    event = {
        "type": "message.received",
        "message_id": new_id(),
        "channel": channel,
        "sender": who.mobile,
        "text": text,
    }
    system.inbox.store(
        source="api:e2e", external_id=event["message_id"], kind="message.received", payload=event
    )


def _run(engine: Engine, sessions: sessionmaker[Session], tmp_path: Path, gate: str) -> list[dict[str, Any]]:
    """A week of the real engine, hourly; returns the attempts export as parsed JSON lines."""
    strategies = tmp_path / "strategies"
    strategies.mkdir()
    (strategies / "pressure.yaml").write_text(PRESSURE, encoding="utf-8")
    settings = Settings(
        strategies_dir=strategies, default_strategy="pressure", collector_kind="third_party",
        gate=gate, outbox_dir=tmp_path / "out", batch_size=50,
    )  # fmt: skip
    ids = _portfolio(sessions)
    _facts_before_the_run(sessions, ids)
    open_cases(sessions, START, strategy="pressure")
    clock = SimulatedClock(START)
    system = build_system(settings, clock=clock, engine=engine)
    worker = system.worker(worker_id="e2e")
    people = {who.key: who for who in PEOPLE}
    for hour in range(DAYS * 24):
        now = START + timedelta(hours=hour)
        clock.set(now)
        for at_hour, key, channel, said in MESSAGES:
            if at_hour == hour:
                _say(system, people[key], channel, said)
        worker.tick()
        # Plan at half past, dispatch at the next hour: the dispatcher must ask again, 30 minutes later.
        clock.set(now + timedelta(minutes=30))
        worker.planner.run_until_idle()
    out = io.StringIO()
    export(engine, "attempts", out, fmt="jsonl")
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _violations(engine: Engine, attempts: list[dict[str, Any]]) -> list[str]:
    with engine.connect() as conn:
        ids = {e: i for e, i in conn.execute(text("SELECT external_id, id FROM customers"))}
        customers = load_customers(conn, {ids[w.key]: (w.zone,) for w in PEOPLE})
        lists = load_lists(conn)
    return check(attempts, customers, lists)


def test_exported_attempts_break_no_rule(
    engine: Engine, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    attempts = _run(engine, sessions, tmp_path, "profiles")
    violations = _violations(engine, attempts)
    assert violations == [], "\n".join(violations[:40])

    # Not vacuous: every jurisdiction was contacted, the mid-run facts were recorded, limits did bind.
    with engine.connect() as conn:
        ids = {e: i for e, i in conn.execute(text("SELECT external_id, id FROM customers"))}
    sent = [a for a in attempts if a["status"] == "sent"]
    for key in (
        "boston",
        "seattle",
        "miami",
        "la",
        "nyc",
        "split",
        "london",
        "edinburgh",
        "mumbai",
        "berlin",
    ):
        assert any(a["customer_id"] == ids[key] for a in sent), key
    assert {a["status"] for a in attempts} >= {"sent", "refused", "deferred"}
    rules = {r for a in attempts if a["status"] != "sent" for r in a["rule_ids"]}
    expected = {"us.ma.frequency", "us.wa.frequency", "us.tcpa.consent", "arrears.do_not_contact",
                "us.regf.call_frequency", "uk.fca.contact", "in.rbi.hours", "arrears.eu_window"}  # fmt: skip
    assert expected <= rules, expected - rules
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(OptOut)) == 1
        assert session.scalar(select(func.count()).select_from(Hold).where(Hold.kind == "dispute")) == 1
        calls = Interaction.conversation.is_(True) & (Interaction.channel == "voice")
        assert session.scalar(select(func.count()).select_from(Interaction).where(calls)) == 1


def test_the_checker_catches_a_gate_that_knows_only_hours(
    engine: Engine, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """The stop-gap gate (08-21 in the recorded zone, opt-outs, holds) must be caught breaking the rest."""
    violations = _violations(engine, _run(engine, sessions, tmp_path, "minimal"))
    found = "\n".join(violations)
    for kind in ("MA 2 per 7 days", "WA 3 a week", "no consent", "do-not-contact", "public holiday",
                 "inconvenient", "within 7 days of the conversation", "Sunday in",
                 "in America/Los_Angeles is outside 08:00-21:00"):  # fmt: skip
        assert kind in found, kind
