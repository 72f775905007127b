"""What the read endpoints return: explicit response models, so the OpenAPI document is the contract and
a new column in the store never leaks out by accident. Money is integer minor units plus the ISO code."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _View(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EventStatus(_View):
    """A stored event: `pending` until the worker applies it, then `done`, or `failed` with `problem`."""

    id: str
    type: str
    status: str
    idempotency_key: str
    received_at: datetime
    processed_at: datetime | None
    attempts: int
    next_attempt_at: datetime | None = Field(None, description="when a failed event is tried again")
    problem: dict[str, Any] | None = Field(None, description="why applying failed (RFC 9457)")

    @classmethod
    def of(cls, row: Any) -> EventStatus:
        return cls(
            id=row.id,
            type=row.kind,
            status=row.status,
            idempotency_key=row.external_id,
            received_at=row.received_at,
            processed_at=row.processed_at,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            problem=row.problem,
        )


class CaseView(_View):
    id: str
    account_id: str
    customer_id: str
    status: str
    stage: str
    strategy_name: str
    strategy_version: int
    currency: str
    balance_minor: int
    opening_balance_minor: int
    recovered_minor: int
    oldest_due_on: date
    broken_promises: int
    next_action_at: datetime | None
    opened_at: datetime
    closed_at: datetime | None
    close_reason: str | None
    updated_at: datetime


class PromiseView(_View):
    id: str
    amount_minor: int
    currency: str
    due_on: date
    channel: str
    status: str
    created_at: datetime
    resolved_at: datetime | None


class HoldView(_View):
    id: str
    case_id: str | None
    kind: str
    scope: str
    channel: str | None
    reason: str
    status: str
    placed_by: str
    created_at: datetime
    until: datetime | None
    released_at: datetime | None
    released_by: str | None
    release_reason: str | None


class TaskView(_View):
    id: str
    case_id: str | None
    reason: str
    team: str
    owner: str | None
    priority: int
    due_at: datetime
    status: str
    summary: str
    created_at: datetime
    claimed_at: datetime | None
    closed_at: datetime | None
    resolution: str | None
    resolved_by: str | None
    resolution_note: str | None


class InteractionView(_View):
    id: str
    channel: str
    direction: str
    destination: str | None
    provider: str | None
    provider_id: str | None
    status: str
    connected: bool
    conversation: bool
    planned_at: datetime | None
    occurred_at: datetime
    transcript_redacted: str | None


class OutcomeView(_View):
    id: str
    case_id: str | None
    interaction_id: str | None
    labels: list[str]
    urgency: str
    objection: str | None
    promise_on: date | None
    promise_amount_minor: int | None
    currency: str | None
    next_step: str | None
    routing: str
    summary: str
    confidence: float | None
    model: str | None = None
    language: str | None = None
    right_party: bool | None
    created_at: datetime


class CaseDetail(CaseView):
    promises: list[PromiseView]
    holds: list[HoldView]
    tasks: list[TaskView]
    interactions: list[InteractionView]
    outcomes: list[OutcomeView]


class ContactPointView(_View):
    channel: str
    value: str
    kind: str
    is_primary: bool


class AccountView(_View):
    id: str
    source_system: str
    external_id: str
    strategy: str | None


class CustomerView(_View):
    id: str
    source_system: str
    external_id: str
    kind: str
    name: str
    time_zone: str | None
    locale: str
    segment: str | None
    tier: str | None
    owner: str | None
    country: str | None
    state: str | None
    city: str | None
    postal_code: str | None
    created_at: datetime
    updated_at: datetime
    contact_points: list[ContactPointView]
    accounts: list[AccountView]
    open_case_ids: list[str]


def rows(view: type[_View], items: Any) -> list[Any]:
    return [view.model_validate(item) for item in items]
