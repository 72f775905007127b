"""Events and a case snapshot as the write-back runner hands them to a CRM destination."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from arrears.feed import FeedEvent
from arrears.writeback.base import CaseSnapshot

AT = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
CUSTOMER = "C-1001"

CASE = CaseSnapshot(
    case_id="case-1",
    customer_id="cust-1",
    customer_external_id=CUSTOMER,
    source_system="billing",
    customer_name="Northwind Traders",
    customer_email=None,
    customer_phone=None,
    account_external_id="A-1",
    status="open",
    stage="day_14_call",
    currency="USD",
    balance_minor=124350,
    recovered_minor=5000,
    days_overdue=17,
    promise_due_on=date(2026, 3, 20),
    promise_amount_minor=124350,
    owner=None,
    opened_at=AT,
)

OUTCOME_DATA: dict[str, Any] = {
    "routing": "booked",
    "labels": ["promise_to_pay"],
    "urgency": "normal",
    "objection": None,
    "next_step": "remind the day before",
    "promise_on": "2026-03-20",
    "promise_amount_minor": 124350,
    "currency": "USD",
    "channel": "voice",
    "summary": "Agreed to pay the full balance on the 20th.",
}
TASK_DATA: dict[str, Any] = {
    "reason": "dispute",
    "team": "collections",
    "priority": 1,
    "summary": "Disputes INV-7",
}


def event(kind: str, event_id: str = "evt-1", data: dict[str, Any] | None = None, seq: int = 1) -> FeedEvent:
    defaults = {"outcome.recorded": OUTCOME_DATA, "task.opened": TASK_DATA}
    return FeedEvent(
        position=(0, seq),
        id=event_id,
        kind=kind,
        entity=kind.split(".")[0],
        entity_id=f"{kind.split('.')[0]}-1",
        case_id=CASE.case_id,
        customer_id=CASE.customer_id,
        data=dict(data if data is not None else defaults.get(kind, {})),
        occurred_at=AT,
    )


def case(**changes: Any) -> CaseSnapshot:
    return replace(CASE, **changes)
