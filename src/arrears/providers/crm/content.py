"""Pure functions from a domain event and its case snapshot to what a CRM record says.

Amounts go out in major units ("1234.50") with the currency beside them: a CRM's number field is read by
people and reports, not by our ledger, which keeps integer minor units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from arrears.core.money import format_minor
from arrears.feed import FeedEvent
from arrears.feed.kinds import EventKind
from arrears.writeback.base import CaseSnapshot

#: Events that become a record of their own (a note or a task), keyed by the event id.
ACTIVITY_KINDS = frozenset({EventKind.OUTCOME_RECORDED.value, EventKind.TASK_OPENED.value})

#: Events after which the customer's figures (balance, stage, promise date, recovered) are written again.
FIGURE_KINDS = frozenset(
    {
        EventKind.PAYMENT_APPLIED.value,
        EventKind.CASE_STAGE_CHANGED.value,
        EventKind.PROMISE_MADE.value,
        EventKind.PROMISE_KEPT.value,
        EventKind.PROMISE_BROKEN.value,
        EventKind.CASE_CLOSED.value,
    }
)


@dataclass(frozen=True, slots=True)
class TaskText:
    subject: str
    body: str
    priority: str  # "HIGH" | "MEDIUM" | "LOW"


@dataclass(frozen=True, slots=True)
class Figures:
    """A case's figures as of delivery: writing them again is harmless, so they need no idempotency key."""

    balance: str
    recovered: str
    currency: str
    stage: str
    status: str
    promise_date: str | None  # ISO date
    days_overdue: int


def _amount(minor: Any, currency: Any) -> str | None:
    if not isinstance(minor, int) or not isinstance(currency, str):
        return None
    try:
        return f"{format_minor(minor, currency)} {currency}"
    except ValueError:
        return None


def outcome_note(event: FeedEvent, case: CaseSnapshot | None) -> str:
    """The note for `outcome.recorded`: what was decided, promised and comes next, one fact a line."""
    data = event.data
    lines = [f"Arrears outcome: {data.get('routing') or 'recorded'}"]
    if data.get("labels"):
        lines.append("Labels: " + ", ".join(str(label) for label in data["labels"]))
    promised = _amount(data.get("promise_amount_minor"), data.get("currency"))
    if data.get("promise_on") or promised:
        lines.append(f"Promise: {promised or 'amount not given'} by {data.get('promise_on') or 'no date'}")
    for key, title in (("next_step", "Next step"), ("objection", "Objection"), ("channel", "Channel")):
        if data.get(key):
            lines.append(f"{title}: {data[key]}")
    if data.get("transcript_url"):
        lines.append(f"Transcript: {data['transcript_url']}")
    if case is not None:
        lines.append(
            f"Balance: {_amount(case.balance_minor, case.currency)}; {case.days_overdue} days overdue"
        )
        lines.append(f"Arrears case: {case.case_id}")
    if data.get("summary"):
        lines.append("")
        lines.append(str(data["summary"]))
    return "\n".join(lines)


def task_text(event: FeedEvent, case: CaseSnapshot | None) -> TaskText:
    """The task for `task.opened`: a person must act; priority 1 is the most urgent."""
    data = event.data
    reason = str(data.get("reason") or "follow up")
    priority = data.get("priority")
    level = (
        "HIGH" if priority in (1, 2) else "LOW" if isinstance(priority, int) and priority >= 4 else "MEDIUM"
    )
    body = [str(data.get("summary") or reason)]
    if data.get("team"):
        body.append(f"Team: {data['team']}")
    if case is not None:
        body.append(
            f"Balance: {_amount(case.balance_minor, case.currency)}; {case.days_overdue} days overdue"
        )
        body.append(f"Arrears case: {case.case_id}")
    return TaskText(
        subject=f"Arrears: {reason.replace('_', ' ')}"[:255], body="\n".join(body), priority=level
    )


def figures(case: CaseSnapshot) -> Figures:
    return Figures(
        balance=format_minor(case.balance_minor, case.currency),
        recovered=format_minor(case.recovered_minor, case.currency),
        currency=case.currency,
        stage=case.stage or case.status,
        status=case.status,
        promise_date=case.promise_due_on.isoformat() if case.promise_due_on else None,
        days_overdue=case.days_overdue,
    )
