"""What each export contains: one streamed query per kind, rows as plain dicts in a documented order.

Times are written twice where a person reads them: in UTC (ISO 8601 with Z) for machines, and in the
customer's own zone for whoever asks "did we call at 8 in the morning their time?".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from arrears.core.money import format_minor, is_currency
from arrears.store.models import Case, Customer, Interaction, OutboxAction, Outcome, Task

Kind = Literal["attempts", "outcomes", "tasks"]
STREAM = 1000

COLUMNS: dict[str, tuple[str, ...]] = {
    "attempts": (
        "attempt_id", "case_id", "customer_id", "customer_external_id", "channel", "destination",
        "destination_kind", "status", "planned_at_utc", "attempted_at_utc", "time_zone",
        "attempted_at_local", "verdict", "rule_ids", "not_before_utc", "provider", "provider_id", "purpose",
    ),
    "outcomes": (
        "outcome_id", "case_id", "customer_id", "interaction_id", "created_at_utc", "routing", "labels",
        "urgency", "objection", "promise_on", "promise_amount", "currency", "next_step", "confidence",
        "summary",
    ),
    "tasks": (
        "task_id", "case_id", "customer_id", "reason", "team", "owner", "priority", "status",
        "due_at_utc", "created_at_utc", "closed_at_utc", "summary",
    ),
}  # fmt: skip


def utc_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_text(value: datetime | None, zone_name: str | None) -> str | None:
    """The instant on the customer's clock, with its offset; empty when the zone is unknown."""
    zone = _zone(zone_name) if zone_name else None
    if value is None or zone is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone).isoformat(timespec="seconds")


def _window(stmt: Select[Any], column: Any, since: datetime | None, until: datetime | None) -> Select[Any]:
    if since is not None:
        stmt = stmt.where(column >= since)
    if until is not None:
        stmt = stmt.where(column < until)
    return stmt


def rows(
    session: Session, kind: Kind, *, since: datetime | None, until: datetime | None
) -> Iterator[dict[str, Any]]:
    """Stream one export's rows, oldest first, in constant memory (server-side cursor on PostgreSQL)."""
    producer = {"attempts": _attempts, "outcomes": _outcomes, "tasks": _tasks}[kind]
    return producer(session, since, until)


def _attempts(session: Session, since: datetime | None, until: datetime | None) -> Iterator[dict[str, Any]]:
    stmt = (
        select(Interaction, Customer.external_id, Customer.time_zone, OutboxAction.payload)
        .join(Customer, Customer.id == Interaction.customer_id)
        .outerjoin(OutboxAction, OutboxAction.id == Interaction.outbox_id)
        .where(Interaction.direction == "outbound")
        .order_by(Interaction.occurred_at, Interaction.id)
    )
    stmt = _window(stmt, Interaction.occurred_at, since, until)
    for attempt, external_id, zone, payload in session.execute(stmt.execution_options(yield_per=STREAM)):
        decision = attempt.decision or {}
        reasons = decision.get("reasons") or []
        not_before = decision.get("not_before")
        yield {
            "attempt_id": attempt.id,
            "case_id": attempt.case_id,
            "customer_id": attempt.customer_id,
            "customer_external_id": external_id,
            "channel": attempt.channel,
            "destination": attempt.destination,
            "destination_kind": attempt.destination_kind,
            "status": attempt.status,
            "planned_at_utc": utc_text(attempt.planned_at),
            "attempted_at_utc": utc_text(attempt.occurred_at),
            "time_zone": zone,
            "attempted_at_local": local_text(attempt.occurred_at, zone),
            "verdict": decision.get("verdict"),
            "rule_ids": [r.get("rule_id") for r in reasons if isinstance(r, dict) and r.get("rule_id")],
            "not_before_utc": utc_text(datetime.fromisoformat(not_before)) if not_before else None,
            "provider": attempt.provider,
            "provider_id": attempt.provider_id,
            # What the contact was for: collection, or an answer to the customer (reply, confirmation)...
            "purpose": (payload or {}).get("purpose", "collection"),
        }


def _outcomes(session: Session, since: datetime | None, until: datetime | None) -> Iterator[dict[str, Any]]:
    stmt = (
        select(Outcome, Case.customer_id)
        .outerjoin(Case, Case.id == Outcome.case_id)
        .order_by(Outcome.created_at, Outcome.id)
    )
    stmt = _window(stmt, Outcome.created_at, since, until)
    for outcome, customer_id in session.execute(stmt.execution_options(yield_per=STREAM)):
        amount = outcome.promise_amount_minor
        currency = outcome.currency
        yield {
            "outcome_id": outcome.id,
            "case_id": outcome.case_id,
            "customer_id": customer_id,
            "interaction_id": outcome.interaction_id,
            "created_at_utc": utc_text(outcome.created_at),
            "routing": outcome.routing,
            "labels": list(outcome.labels),
            "urgency": outcome.urgency,
            "objection": outcome.objection,
            "promise_on": outcome.promise_on.isoformat() if outcome.promise_on else None,
            "promise_amount": (
                format_minor(amount, currency)
                if amount is not None and currency and is_currency(currency)
                else None
            ),
            "currency": currency,
            "next_step": outcome.next_step,
            "confidence": outcome.confidence,
            "summary": outcome.summary,
        }


def _tasks(session: Session, since: datetime | None, until: datetime | None) -> Iterator[dict[str, Any]]:
    stmt = (
        select(Task, Case.customer_id)
        .outerjoin(Case, Case.id == Task.case_id)
        .order_by(Task.created_at, Task.id)
    )
    stmt = _window(stmt, Task.created_at, since, until)
    for task, customer_id in session.execute(stmt.execution_options(yield_per=STREAM)):
        yield {
            "task_id": task.id,
            "case_id": task.case_id,
            "customer_id": customer_id,
            "reason": task.reason,
            "team": task.team,
            "owner": task.owner,
            "priority": task.priority,
            "status": task.status,
            "due_at_utc": utc_text(task.due_at),
            "created_at_utc": utc_text(task.created_at),
            "closed_at_utc": utc_text(task.closed_at),
            "summary": task.summary,
        }
