"""Applying events to the store: every type, failures that leave nothing behind, and replays."""

from __future__ import annotations

import random
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.events import BILLING_KINDS, billing_handler
from arrears.inbox import Inbox, InboxStatus
from arrears.store.base import Base
from arrears.store.models import (
    Account,
    Case,
    Consent,
    ContactPoint,
    Customer,
    InboxEvent,
    Invoice,
    OutboxAction,
    Payment,
    Promise,
)
from tests.events.support import NOW, deliver, dump, invoice_created, payment, resolve, stream


def _inbox(sessions: sessionmaker[Session]) -> Inbox:
    handle = billing_handler(resolve)
    return Inbox(sessions, SimulatedClock(NOW), {kind: handle for kind in BILLING_KINDS})


def _deliver_all(sessions: sessionmaker[Session], events: list[tuple[str, dict[str, Any]]]) -> list[str]:
    statuses = []
    for delivery_id, body in events:
        with sessions.begin() as session:
            statuses.append(deliver(session, delivery_id, body))
    return statuses


def _invoice(session: Session, external_id: str) -> Invoice:
    return session.scalars(select(Invoice).where(Invoice.external_id == external_id)).one()


def _case(session: Session, account_external_id: str) -> Case:
    return session.scalars(
        select(Case).where(Case.account_id == _account_id(session, account_external_id))
    ).one()


def _account_id(session: Session, external_id: str) -> str:
    row = session.execute(text("SELECT id FROM accounts WHERE external_id = :e"), {"e": external_id}).one()
    return str(row[0])


def test_every_event_type_applies(sessions: sessionmaker[Session]) -> None:
    assert _deliver_all(sessions, stream()) == ["done"] * len(stream())
    with sessions() as session:
        ada = session.scalars(select(Customer).where(Customer.external_id == "c1")).one()
        assert (ada.name, ada.segment, ada.tier, ada.time_zone) == (
            "Customer c1",
            "retail",
            "gold",
            "Europe/Paris",
        )
        c2 = session.scalars(select(Customer).where(Customer.external_id == "c2")).one()
        assert (c2.kind, c2.segment, c2.tier) == ("business", "smb", None)
        contacts = {(c.channel, c.value, c.is_primary) for c in session.scalars(select(ContactPoint))}
        assert contacts == {
            ("email", "ADA@example.com", True),
            ("phone", "+33612345678", True),
            ("email", "ops@c2.example", True),
        }
        # a1: 100 overdue + 50; paid 30 then 120 -> both invoices settled, the case closed as settled.
        assert [
            (_invoice(session, i).balance_minor, _invoice(session, i).status) for i in ("inv-1", "inv-2")
        ] == [
            (0, "paid"),
            (0, "paid"),
        ]
        assert _invoice(session, "inv-2").number == "N-2b"
        a1 = _case(session, "a1")
        assert (a1.status, a1.close_reason, a1.recovered_minor) == ("closed", "settled", 10000)
        # a2: 80 updated to 60, then 60 paid against that invoice.
        assert _invoice(session, "inv-3").balance_minor == 0
        assert _case(session, "a2").status == "closed"
        # a3: settled by invoice.paid; what it owed counts as recovered.
        a3 = _case(session, "a3")
        assert (a3.status, a3.recovered_minor) == ("closed", 2000)
        payments = {
            p.external_id: (p.amount_minor, p.invoice_id is not None)
            for p in session.scalars(select(Payment))
        }
        assert payments == {"pay-1": (3000, False), "pay-2": (6000, True), "pay-3": (12000, False)}


def test_payment_stops_outreach_and_keeps_the_promise(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        deliver(session, "e1", invoice_created(1, account="a1", customer="c1"))
        case = _case(session, "a1")
        assert (case.status, case.balance_minor) == ("open", 10000)
        session.add(
            Promise(
                case_id=case.id,
                amount_minor=4000,
                currency="EUR",
                due_on=date(2026, 3, 12),
                channel="sms",
                created_at=datetime(2026, 3, 5, tzinfo=UTC),
            )
        )
        session.add(
            OutboxAction(
                idempotency_key="k1",
                case_id=case.id,
                customer_id=case.customer_id,
                kind="contact",
                step_id="d7",
                channel="email",
                template="t",
                not_before=NOW,
                created_at=NOW,
            )
        )
    with sessions.begin() as session:
        assert deliver(session, "e2", payment(1, account="a1", amount="40.00")) == "done"
    with sessions() as session:
        case = _case(session, "a1")
        assert (case.status, case.balance_minor, case.recovered_minor) == ("open", 6000, 4000)
        assert session.scalars(select(Promise.status)).one() == "kept"
        # after_payment: every queued message quoted the old balance, so it stops; the planner plans anew.
        assert session.scalars(select(OutboxAction.status)).one() == "cancelled"
        assert case.next_action_at == NOW
    with sessions.begin() as session:
        deliver(session, "e3", payment(2, account="a1", amount="60.00"))
    with sessions() as session:
        case = _case(session, "a1")
        assert (case.status, case.close_reason, case.recovered_minor) == ("closed", "settled", 10000)
        assert session.scalars(select(OutboxAction.status)).one() == "cancelled"


def test_a_payment_short_of_the_promise_leaves_it_pending(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        deliver(session, "e1", invoice_created(1, account="a1", customer="c1"))
        case = _case(session, "a1")
        session.add(
            Promise(
                case_id=case.id,
                amount_minor=5000,
                currency="EUR",
                due_on=date(2026, 3, 12),
                channel="sms",
                created_at=datetime(2026, 3, 5, tzinfo=UTC),
            )
        )
    with sessions.begin() as session:
        deliver(session, "e2", payment(1, account="a1", amount="49.99"))
    with sessions() as session:
        assert session.scalars(select(Promise.status)).one() == "pending"


def test_unknown_account_fails_the_row_and_writes_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        assert deliver(session, "e1", payment(1, account="nope", amount="5.00")) == "failed"
    with sessions() as session:
        row = session.scalars(select(InboxEvent)).one()
        assert row.status == "failed" and row.error is not None
        assert row.error.startswith("account_external_id: unknown account 'nope'")
        assert session.scalars(select(Payment)).all() == []


def test_a_failed_event_rolls_back_its_partial_work(sessions: sessionmaker[Session]) -> None:
    """The new customer c9 is inserted before the account clash is found; it must not survive."""
    with sessions.begin() as session:
        deliver(session, "e1", invoice_created(1, account="a1", customer="c1"))
        assert deliver(session, "e2", invoice_created(2, account="a1", customer="c9")) == "failed"
        assert deliver(session, "e3", invoice_created(3, account="a2", customer="c2")) == "done"
    with sessions() as session:
        assert sorted(session.scalars(select(Customer.external_id))) == ["c1", "c2"]
        assert sorted(session.scalars(select(Invoice.external_id))) == ["inv-1", "inv-3"]
        failed = session.scalars(select(InboxEvent).where(InboxEvent.external_id == "e2")).one()
        assert failed.error == "account_external_id: account 'a1' belongs to another customer"


def test_unknown_invoice_and_currency_mismatch_name_the_field(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        deliver(session, "e1", invoice_created(1, account="a1", customer="c1"))
        deliver(session, "e2", {"type": "invoice.paid", "invoice_external_id": "ghost"})
        deliver(
            session, "e3", {**payment(1, account="a1", amount="1.00", invoice="inv-1"), "currency": "GBP"}
        )
        deliver(
            session, "e4", {"type": "invoice.updated", "invoice_external_id": "inv-1", "balance": "100.01"}
        )
    with sessions() as session:
        errors = dict(session.execute(select(InboxEvent.external_id, InboxEvent.error)).tuples().all())
        assert errors["e1"] is None
        assert errors["e2"] is not None and errors["e2"].startswith("invoice_external_id: unknown invoice")
        assert errors["e3"] == "currency: invoice 'inv-1' is in EUR"
        assert errors["e4"] == "balance: balance exceeds the invoice amount"
        assert _invoice(session, "inv-1").balance_minor == 10000


def test_the_same_payment_under_two_delivery_ids_counts_once(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        deliver(session, "e1", invoice_created(1, account="a1", customer="c1"))
        deliver(session, "e2", payment(1, account="a1", amount="10.00"))
        assert deliver(session, "e3", payment(1, account="a1", amount="10.00")) == "done"
        assert deliver(session, "e4", payment(1, account="a1", amount="11.00")) == "failed"
    with sessions() as session:
        assert _invoice(session, "inv-1").balance_minor == 9000
        error = session.scalars(select(InboxEvent.error).where(InboxEvent.external_id == "e4")).one()
        assert error == "amount: payment 'pay-1' was already recorded with a different amount"


def test_a_creation_sent_again_without_a_balance_keeps_what_a_payment_took(
    sessions: sessionmaker[Session],
) -> None:
    """A billing system re-sending its original event (new delivery id, no balance) must not put back what
    a payment recorded here took; a stated balance is still the source system's word."""
    with sessions.begin() as session:
        deliver(session, "e1", invoice_created(1, account="a1", customer="c1"))
        deliver(session, "e2", payment(1, account="a1", amount="30.00"))
        assert deliver(session, "e3", invoice_created(1, account="a1", customer="c1")) == "done"
    with sessions() as session:
        assert _invoice(session, "inv-1").balance_minor == 7000
        assert _case(session, "a1").balance_minor == 7000
    with sessions.begin() as session:
        stated = {**invoice_created(1, account="a1", customer="c1"), "balance": "100.00"}
        assert deliver(session, "e4", stated) == "done"
    with sessions() as session:
        assert _invoice(session, "inv-1").balance_minor == 10000


def test_overpayment_settles_everything_and_is_kept_on_the_payment(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        deliver(session, "e1", invoice_created(1, account="a1", customer="c1"))
        deliver(session, "e2", payment(1, account="a1", amount="150.00"))
    with sessions() as session:
        assert _invoice(session, "inv-1").balance_minor == 0
        assert session.scalars(select(Payment.amount_minor)).one() == 15000
        assert _case(session, "a1").recovered_minor == 10000


def test_a_corrupt_stored_payload_fails_the_row(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        row = InboxEvent(
            source="x",
            external_id="1",
            kind="invoice.paid",
            payload={"type": "invoice.paid"},
            received_at=NOW,
        )
        session.add(row)
    applied = _inbox(sessions).apply_one(row.id)
    assert applied.status is InboxStatus.FAILED
    with sessions() as session:
        stored = session.get(InboxEvent, row.id)
        assert stored is not None and stored.error == "invoice_external_id: Field required"
        assert stored.next_attempt_at is None  # a payload that cannot parse is never tried again alone
        assert stored.problem is not None and stored.problem["errors"][0]["field"] == "invoice_external_id"


def test_every_event_replayed_twice_leaves_identical_state(sessions: sessionmaker[Session]) -> None:
    _deliver_all(sessions, stream())
    with sessions() as session:
        before = dump(session)
    _deliver_all(sessions, stream())
    with sessions() as session:
        ids = list(session.scalars(select(InboxEvent.id)))
    assert all(_inbox(sessions).apply_one(event_id).status is InboxStatus.DONE for event_id in ids)
    with sessions() as session:
        assert dump(session) == before


def test_applying_each_event_twice_in_a_row_changes_nothing_more(sessions: sessionmaker[Session]) -> None:
    """Even under a second delivery id (a source that retries with a new id) the domain state is the same."""
    once, twice = {}, {}
    for delivery_id, body in stream():
        with sessions.begin() as session:
            deliver(session, delivery_id, body)
    with sessions() as session:
        once = {k: v for k, v in dump(session).items() if k not in ("inbox_events", "audit_log")}
    _reset(sessions)
    for delivery_id, body in stream():
        with sessions.begin() as session:
            deliver(session, delivery_id, body)
            deliver(session, delivery_id + "-again", body)
    with sessions() as session:
        twice = {k: v for k, v in dump(session).items() if k not in ("inbox_events", "audit_log")}
    assert twice == once


def _merge_with_duplicates(events: list[Any], rng: random.Random) -> list[Any]:
    """Two copies of the stream interleaved at random, each copy in its original order."""
    first, second, merged = list(events), list(events), []
    while first or second:
        # the second copy of an event never overtakes its first copy
        take_second = bool(second) and len(second) > len(first) and (not first or rng.random() < 0.5)
        merged.append((second if take_second else first).pop(0))
    return merged


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_order_preserving_duplication_leaves_identical_state(
    sessions: sessionmaker[Session], seed: int
) -> None:
    events = stream()
    _deliver_all(sessions, events)
    with sessions() as session:
        expected = dump(session)
    _reset(sessions)
    merged = _merge_with_duplicates(events, random.Random(seed))
    assert len(merged) == 2 * len(events) and merged != events + events
    _deliver_all(sessions, merged)
    with sessions() as session:
        assert dump(session) == expected


def _reset(sessions: sessionmaker[Session]) -> None:
    """Empty the database between two runs compared in one test (the audit log refuses plain deletes)."""
    engine = sessions.kw["bind"]
    assert isinstance(engine, Engine)
    if engine.dialect.name == "postgresql":
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        return
    path = Path(str(engine.url.database))
    engine.dispose()
    template = path.parent.parent.glob("template*/template.db")
    shutil.copy(next(iter(template), None) or _missing(), path)


def _missing() -> Path:
    raise AssertionError("sqlite template not found")


def test_contacts_consents_and_account_flags_mirror_the_import(sessions: sessionmaker[Session]) -> None:
    created = invoice_created(
        1,
        account="a1",
        customer="c1",
        phone="+14155550100",
        phone_kind="mobile",
        whatsapp="+14155550101",
        sms_consent=True,
        whatsapp_consent=True,
        agency_placement_allowed=True,
    )
    del created["invoice_number"]
    with sessions.begin() as session:
        deliver(session, "e1", created)
        deliver(session, "e2", created)  # a second delivery id: nothing new
        deliver(
            session,
            "e3",
            {
                "type": "customer.updated",
                "customer_external_id": "c1",
                "phone": "+14155550100",
                "sms_consent": False,
                "consent_source": "call-7",
            },
        )
        assert (
            deliver(
                session,
                "e4",
                {"type": "customer.updated", "customer_external_id": "c1", "voice_consent": True},
            )
            == "failed"
        )
    with sessions() as session:
        contacts = {(c.channel, c.value, c.kind) for c in session.scalars(select(ContactPoint))}
        assert contacts == {("phone", "+14155550100", "mobile"), ("whatsapp", "+14155550101", "mobile")}
        consents = {
            (c.channel, c.destination, c.source, c.revoked_at is None, c.revoked_source)
            for c in session.scalars(select(Consent))
        }
        assert consents == {
            ("sms", "+14155550100", "import:import", False, "call-7"),
            ("whatsapp", "+14155550101", "import:import", True, None),
        }
        assert session.scalars(select(Account.agency_placement_allowed)).one() is True
        assert _invoice(session, "inv-1").number == "inv-1"
        error = session.scalars(select(InboxEvent.error).where(InboxEvent.external_id == "e4")).one()
        assert error == "voice_consent: needs phone in the same event"
