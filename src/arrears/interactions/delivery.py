"""What a provider reports after a send (queued, sent, delivered, failed...), applied under a row lock.

Status callbacks arrive out of order and more than once: the state only moves forward along its table (a
late "sent" never undoes "delivered"), so a replay or a reordering changes nothing. The first report of
delivery or failure is published on the feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.core.states import Transitions
from arrears.feed import EventKind, publish
from arrears.store.models import Interaction


class DeliveryState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    UNDELIVERED = "undelivered"
    FAILED = "failed"


_ = DeliveryState
TRANSITIONS = Transitions(
    "delivery",
    {
        _.QUEUED: frozenset({_.SENT, _.DELIVERED, _.READ, _.UNDELIVERED, _.FAILED}),
        _.SENT: frozenset({_.DELIVERED, _.READ, _.UNDELIVERED, _.FAILED}),
        _.DELIVERED: frozenset({_.READ}),
    },
)
_PUBLISHED = {
    DeliveryState.DELIVERED: EventKind.MESSAGE_DELIVERED,
    DeliveryState.UNDELIVERED: EventKind.MESSAGE_FAILED,
    DeliveryState.FAILED: EventKind.MESSAGE_FAILED,
}


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    provider: str
    provider_id: str
    state: DeliveryState
    at: datetime
    error_code: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def record_delivery(session: Session, report: DeliveryReport) -> int:
    """Apply a delivery report to the outbound interactions it names; returns how many moved."""
    moved = 0
    for row in _outbound(session, report.provider, report.provider_id):
        current = DeliveryState(row.delivery_status) if row.delivery_status else DeliveryState.QUEUED
        if current is report.state or not TRANSITIONS.can(current, report.state):
            continue  # a replay, or news older than what is known: it changes nothing, facts included
        detail = {**(row.detail or {}), **report.facts}
        if report.error_code:
            detail["error_code"] = report.error_code
        row.detail = detail
        row.delivery_status, row.delivery_updated_at = report.state.value, report.at
        moved += 1
        kind = _PUBLISHED.get(report.state)
        if report.state is DeliveryState.READ and current is not DeliveryState.DELIVERED:
            kind = EventKind.MESSAGE_DELIVERED  # read before its delivery report: delivered, said once
        if kind is not None:
            publish(
                session,
                kind,
                row.id,
                report.at,
                case_id=row.case_id,
                customer_id=row.customer_id,
                data={
                    "channel": row.channel,
                    "outbox_id": row.outbox_id,
                    "status": report.state.value,
                    "error_code": report.error_code,
                },
            )
    session.flush()
    return moved


def note_call(session: Session, provider: str, call_sid: str, facts: dict[str, Any]) -> None:
    """Merge a call's progress (answered by, duration, status) into its outbound interaction; a person
    answering makes it a connected conversation."""
    for row in _outbound(session, provider, call_sid):
        row.detail = {**(row.detail or {}), **facts}
        if facts.get("answered_by") == "human":
            row.connected, row.conversation = True, True
    session.flush()


def _outbound(session: Session, provider: str, provider_id: str) -> list[Interaction]:
    return list(
        session.scalars(
            select(Interaction)
            .where(
                Interaction.provider == provider,
                Interaction.provider_id == provider_id,
                Interaction.direction == "outbound",
            )
            .with_for_update()
        )
    )
