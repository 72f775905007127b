"""A small fixed portfolio written into the store, for the KPI loader and `arrears report` tests.

Period March 2026: since 2026-03-01T00:00Z, until 2026-03-31T00:00Z (exclusive). Times are UTC.

k1 retail/billing/team-a, ladder:1, USD. Invoices i1 100.00 (issued 01-01, due 02-01; paid by p1 on 03-10)
   and i1b 50.00 (issued 02-15, due 03-15, open). Email sent 02-28 (before), 03-02; email failed 03-03 (no
   attempt); sms sent 03-05, sms reply 03-06 with a right-party outcome. Promise made 03-06, kept 03-10.
   An operational task (delivery_unknown) 03-04: not an escalation.
k2 retail/billing/team-b, ladder:2, USD. i2 200.00 (issued 2025-12-02, due 01-01), 30.00 paid 02-20 (before).
   Answered call 03-03 (a conversation); email sent 03-04. Right-party outcome with no interaction 03-03.
   Promise made 02-20 broken 03-05; promise made 03-20 still pending. Dispute hold and task 03-12.
k3 business/erp/no owner, b2b:1, EUR. i3 80.00 (issued 02-20, due 03-20). Opened 03-21. Email sent 03-22,
   sms sent at `until` (outside). Dispute hold 03-25 (never reached: not in the dispute rate). Handoff 03-30.
k4 closed 02-27: outside (its reply on 03-02 too). k5 opened at `until`: outside.
k6 retail/billing/team-b, ladder:1, USD. i6 40.00 (issued 01-10, due 02-10) paid by p6 03-15 12:00, case
   closed settled then. Sms sent at exactly `since`, reply 03-03, promise made 03-03 kept 03-15.
k7 business/erp/team-b, b2b:1, EUR, two cases: k7a opened 02-01, closed settled 03-05 10:00 after p7a (30.00,
   09:00) paid i7a (issued 01-01, due 02-01); k7b opened 03-16 for i7b 20.00 (issued 02-15, due 03-15).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from arrears.store.models import (
    Account,
    Case,
    Customer,
    Hold,
    Interaction,
    Invoice,
    Outcome,
    Payment,
    Promise,
    Task,
)

SINCE = datetime(2026, 3, 1, tzinfo=UTC)
UNTIL = datetime(2026, 3, 31, tzinfo=UTC)


def at(month: int, day: int, hour: int = 9, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


CUSTOMERS = {  # id: (segment, source, owner)
    "c1": ("retail", "billing", "team-a"),
    "c2": ("retail", "billing", "team-b"),
    "c3": ("business", "erp", None),
    "c4": ("business", "erp", "team-a"),
    "c5": (None, "billing", "team-a"),
    "c6": ("retail", "billing", "team-b"),
    "c7": ("business", "erp", "team-b"),
}

# id, customer, strategy, version, currency, opened, closed, close reason
CASES = [
    ("k1", "c1", "ladder", 1, "USD", at(2, 2), None, None),
    ("k2", "c2", "ladder", 2, "USD", at(1, 2), None, None),
    ("k3", "c3", "b2b", 1, "EUR", at(3, 21), None, None),
    ("k4", "c4", "b2b", 1, "EUR", at(1, 5), at(2, 27), "settled"),
    ("k5", "c5", "ladder", 1, "USD", UNTIL, None, None),
    ("k6", "c6", "ladder", 1, "USD", at(2, 11), at(3, 15, 12), "settled"),
    ("k7a", "c7", "b2b", 1, "EUR", at(2, 1), at(3, 5, 10), "settled"),
    ("k7b", "c7", "b2b", 1, "EUR", at(3, 16), None, None),
]

# id, customer, currency, amount, balance, issued, due
INVOICES = [
    ("i1", "c1", "USD", 10000, 0, d(1, 1), d(2, 1)),
    ("i1b", "c1", "USD", 5000, 5000, d(2, 15), d(3, 15)),
    ("i2", "c2", "USD", 20000, 17000, d(12, 2, 2025), d(1, 1)),
    ("i3", "c3", "EUR", 8000, 8000, d(2, 20), d(3, 20)),
    ("i4", "c4", "EUR", 9000, 0, d(12, 1, 2025), d(1, 1)),
    ("i5", "c5", "USD", 7000, 7000, d(2, 28), d(3, 30)),
    ("i6", "c6", "USD", 4000, 0, d(1, 10), d(2, 10)),
    ("i7a", "c7", "EUR", 3000, 0, d(1, 1), d(2, 1)),
    ("i7b", "c7", "EUR", 2000, 2000, d(2, 15), d(3, 15)),
]

# id, customer, currency, amount, received
PAYMENTS = [
    ("p1", "c1", "USD", 10000, at(3, 10, 12)),
    ("p2", "c2", "USD", 3000, at(2, 20)),
    ("p4", "c4", "EUR", 9000, at(2, 27)),
    ("p6", "c6", "USD", 4000, at(3, 15, 12)),
    ("p7a", "c7", "EUR", 3000, at(3, 5, 9)),
]

# id, case, channel, direction, status, occurred, conversation
INTERACTIONS = [
    ("x1", "k1", "email", "outbound", "sent", at(2, 28), False),
    ("x2", "k1", "email", "outbound", "sent", at(3, 2), False),
    ("x3", "k1", "email", "outbound", "failed", at(3, 3), False),
    ("x4", "k1", "sms", "outbound", "sent", at(3, 5), False),
    ("x5", "k1", "sms", "inbound", "received", at(3, 6), False),
    ("x6", "k2", "voice", "outbound", "sent", at(3, 3), True),
    ("x7", "k2", "email", "outbound", "sent", at(3, 4), False),
    ("x8", "k3", "email", "outbound", "sent", at(3, 22), False),
    ("x9", "k3", "sms", "outbound", "sent", UNTIL, False),
    ("x10", "k4", "sms", "inbound", "received", at(3, 2), False),
    ("x11", "k6", "sms", "outbound", "sent", SINCE, False),
    ("x12", "k6", "sms", "inbound", "received", at(3, 3), False),
]

# id, case, interaction, right party, created
OUTCOMES = [
    ("o1", "k1", "x5", True, at(3, 6)),
    ("o2", "k2", None, True, at(3, 3)),
    ("o3", "k2", "x6", None, at(3, 3)),
    ("o4", "k6", "x12", False, at(3, 3)),
]

# id, case, status, created, resolved
PROMISES = [
    ("pr1", "k1", "kept", at(3, 6), at(3, 10, 12)),
    ("pr2", "k2", "broken", at(2, 20), at(3, 5)),
    ("pr3", "k2", "pending", at(3, 20), None),
    ("pr6", "k6", "kept", at(3, 3), at(3, 15, 12)),
]

# id, case, kind, created
HOLDS = [
    ("h2", "k2", "dispute", at(3, 12)),
    ("h3", "k3", "dispute", at(3, 25)),
    ("h4", "k4", "dispute", at(2, 1)),
]

# id, case, reason, created
TASKS = [
    ("t1", "k1", "delivery_unknown", at(3, 4)),
    ("t2", "k2", "dispute", at(3, 12)),
    ("t3", "k3", "handoff", at(3, 30)),
    ("t4", "k4", "handoff", at(2, 20)),
]


def load_portfolio(session: Session) -> None:
    """Write the portfolio above (the caller commits)."""
    created = at(1, 1, 0, year=2025)
    customer_of = {case[0]: case[1] for case in CASES}
    session.execute(insert(Customer), [_customer(cid, *dims, created) for cid, dims in CUSTOMERS.items()])
    session.execute(insert(Account), [_account(cid, created) for cid in CUSTOMERS])
    session.execute(insert(Case), [_case(*row) for row in CASES])
    session.execute(insert(Invoice), [_invoice(*row, created) for row in INVOICES])
    session.execute(insert(Payment), [_payment(*row) for row in PAYMENTS])
    session.execute(
        insert(Interaction),
        [
            {
                "id": iid,
                "case_id": case_id,
                "customer_id": customer_of[case_id],
                "channel": channel,
                "direction": direction,
                "status": status,
                "occurred_at": occurred,
                "connected": conversation or direction == "inbound",
                "conversation": conversation,
            }
            for iid, case_id, channel, direction, status, occurred, conversation in INTERACTIONS
        ],
    )
    session.execute(
        insert(Outcome),
        [
            {
                "id": oid,
                "idempotency_key": oid,
                "case_id": case_id,
                "interaction_id": iid,
                "routing": "booked",
            }
            | {"right_party": rp, "created_at": when}
            for oid, case_id, iid, rp, when in OUTCOMES
        ],
    )
    session.execute(insert(Promise), [_promise(*row) for row in PROMISES])
    session.execute(
        insert(Hold),
        [
            {"id": hid, "customer_id": customer_of[cid], "case_id": cid, "kind": kind, "created_at": when}
            for hid, cid, kind, when in HOLDS
        ],
    )
    session.execute(
        insert(Task),
        [
            {"id": tid, "case_id": cid, "idempotency_key": tid, "reason": reason}
            | {"due_at": when, "created_at": when}
            for tid, cid, reason, when in TASKS
        ],
    )


def _customer(cid: str, segment: str | None, source: str, owner: str | None, now: datetime) -> dict[str, Any]:
    return {
        "id": cid,
        "source_system": source,
        "external_id": cid,
        "name": f"Customer {cid}",
        "segment": segment,
        "owner": owner,
        "created_at": now,
        "updated_at": now,
    }


def _account(cid: str, now: datetime) -> dict[str, Any]:
    return {"id": f"a{cid}", "customer_id": cid, "source_system": "t", "external_id": cid, "created_at": now}


def _case(
    kid: str,
    cid: str,
    strategy: str,
    version: int,
    currency: str,
    opened: datetime,
    closed: datetime | None,
    reason: str | None,
) -> dict[str, Any]:
    return {
        "id": kid,
        "account_id": f"a{cid}",
        "customer_id": cid,
        "status": "closed" if closed else "open",
        "strategy_name": strategy,
        "strategy_version": version,
        "currency": currency,
        "balance_minor": 0,
        "opening_balance_minor": 0,
        "oldest_due_on": opened.date(),
        "opened_at": opened,
        "closed_at": closed,
        "close_reason": reason,
        "updated_at": closed or opened,
    }


def _invoice(
    iid: str, cid: str, currency: str, amount: int, balance: int, issued: date, due: date, now: datetime
) -> dict[str, Any]:
    return {
        "id": iid,
        "account_id": f"a{cid}",
        "source_system": "t",
        "external_id": iid,
        "number": iid,
        "currency": currency,
        "amount_minor": amount,
        "balance_minor": balance,
        "issued_on": issued,
        "due_on": due,
        "status": "open" if balance else "paid",
        "created_at": now,
        "updated_at": now,
    }


def _payment(pid: str, cid: str, currency: str, amount: int, received: datetime) -> dict[str, Any]:
    return {
        "id": pid,
        "account_id": f"a{cid}",
        "source_system": "t",
        "external_id": pid,
        "currency": currency,
        "amount_minor": amount,
        "received_at": received,
    }


def _promise(pid: str, kid: str, status: str, created: datetime, resolved: datetime | None) -> dict[str, Any]:
    return {
        "id": pid,
        "case_id": kid,
        "amount_minor": 1000,
        "currency": "USD",
        "due_on": created.date(),
        "channel": "sms",
        "status": status,
        "created_at": created,
        "resolved_at": resolved,
    }
