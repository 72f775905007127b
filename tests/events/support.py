"""Shared by the event and API tests: a realistic event stream, delivery through the inbox, table dumps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.events import BILLING_KINDS, billing_handler, parse_event
from arrears.inbox import Inbox
from arrears.store.base import Base

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def resolve(name: str | None) -> tuple[str, int]:
    return (name or "consumer-overdue", 1)


def invoice_created(
    n: int, *, account: str, customer: str, amount: str = "100.00", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "invoice.created",
        "customer_external_id": customer,
        "customer_name": f"Customer {customer}",
        "account_external_id": account,
        "invoice_external_id": f"inv-{n}",
        "invoice_number": f"N-{n:04d}",
        "currency": "EUR",
        "amount": amount,
        "issued_on": "2026-01-01",
        "due_on": "2026-02-01",
        **extra,
    }


def payment(n: int, *, account: str, amount: str, invoice: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "payment.received",
        "payment_external_id": f"pay-{n}",
        "account_external_id": account,
        "currency": "EUR",
        "amount": amount,
        "received_at": "2026-03-09T10:00:00+01:00",
    }
    if invoice is not None:
        body["invoice_external_id"] = invoice
    return body


def stream() -> list[tuple[str, dict[str, Any]]]:
    """(delivery id, body) pairs touching every event type, cases opening, part-paying and settling."""
    events: list[dict[str, Any]] = [
        invoice_created(1, account="a1", customer="c1", email="ADA@example.com", time_zone="Europe/Paris"),
        invoice_created(2, account="a1", customer="c1", amount="50.00", due_on="2026-04-01"),
        invoice_created(
            3,
            account="a2",
            customer="c2",
            amount="80.00",
            customer_kind="business",
            phone="+33 6 12 34 56 78",
            segment="smb",
        ),
        invoice_created(4, account="a3", customer="c3", amount="20.00"),
        {"type": "customer.updated", "customer_external_id": "c1", "segment": "retail", "tier": "gold"},
        {"type": "invoice.updated", "invoice_external_id": "inv-3", "balance": "60.00"},
        payment(1, account="a1", amount="30.00"),
        payment(2, account="a2", amount="60.00", invoice="inv-3"),
        {"type": "invoice.paid", "invoice_external_id": "inv-4"},
        {"type": "customer.updated", "customer_external_id": "c2", "tier": None, "email": "ops@c2.example"},
        payment(3, account="a1", amount="120.00"),
        {
            "type": "invoice.updated",
            "invoice_external_id": "inv-2",
            "due_on": "2026-03-01",
            "invoice_number": "N-2b",
        },
    ]
    return [(f"evt-{i}", body) for i, body in enumerate(events)]


def deliver(session: Session, delivery_id: str, body: dict[str, Any], now: datetime = NOW) -> str:
    """What the inbox does with one delivery, in the caller's transaction: store it once, apply it if it is
    new (in a savepoint: all or nothing); returns the row's status."""
    handle = billing_handler(resolve)
    sessions = sessionmaker(session.get_bind())
    inbox = Inbox(sessions, SimulatedClock(now), {kind: handle for kind in BILLING_KINDS})
    event = parse_event(body)
    applied = inbox.take_in(
        session, source="test", external_id=delivery_id, kind=event.type, payload=event.payload()
    )
    return applied.status.value


def dump(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, comparable across runs: audit and feed ids dropped, random case ids named by
    account."""
    cases = {
        row.id: f"case:{row.account_id}:{row.opened_at.isoformat()}"
        for row in session.execute(select(Base.metadata.tables["cases"]))
    }
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in Base.metadata.sorted_tables:
        rows = []
        for row in session.execute(select(table)).mappings():
            values = {k: cases.get(v, v) if isinstance(v, str) else v for k, v in row.items()}
            if table.name == "audit_log":
                values.pop("id")
            if table.name == "domain_events":  # new ids and positions each run; what happened is compared
                for column in ("id", "seq", "txid"):
                    values.pop(column)
            rows.append(tuple(sorted((k, repr(v)) for k, v in values.items())))
        out[table.name] = sorted(rows)
    return out
