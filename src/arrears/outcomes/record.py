"""The one place outcome rows are written: once per key (the call SID, the first message's id), so a
replayed webhook finds the outcome instead of writing a second one; published as `outcome.recorded`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.core.ids import new_id
from arrears.feed import EventKind, publish
from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.models import Outcome


@dataclass(frozen=True, slots=True)
class OutcomeSpec:
    key: str
    case_id: str
    customer_id: str
    interaction_id: str | None
    labels: tuple[str, ...]
    urgency: str
    routing: str
    next_step: str
    summary: str
    currency: str
    objection: str | None = None
    promise_on: date | None = None
    promise_amount_minor: int | None = None
    right_party: bool | None = None
    confidence: float | None = None
    model: str | None = None
    language: str | None = None
    conversation_id: str | None = None
    channel: str | None = None


def record_outcome(session: Session, spec: OutcomeSpec, now: datetime) -> str:
    """Write the outcome unless its key already has one; returns the stored outcome's id."""
    existing = session.scalar(select(Outcome.id).where(Outcome.idempotency_key == spec.key))
    if existing is not None:
        return str(existing)
    outcome_id = new_id()
    insert_ignoring_duplicates(
        session,
        Outcome.__table__,
        [
            {
                "id": outcome_id,
                "idempotency_key": spec.key,
                "case_id": spec.case_id,
                "interaction_id": spec.interaction_id,
                "labels": list(spec.labels),
                "urgency": spec.urgency,
                "objection": (spec.objection or None) and spec.objection[:64],
                "promise_on": spec.promise_on,
                "promise_amount_minor": spec.promise_amount_minor,
                "currency": spec.currency,
                "next_step": spec.next_step[:128],
                "routing": spec.routing,
                "summary": spec.summary[:4000],
                "confidence": spec.confidence,
                "model": spec.model,
                "language": spec.language,
                "right_party": spec.right_party,
                "created_at": now,
            }
        ],
        ["idempotency_key"],
    )
    stored = str(session.scalars(select(Outcome.id).where(Outcome.idempotency_key == spec.key)).one())
    if stored == outcome_id:
        publish(
            session,
            EventKind.OUTCOME_RECORDED,
            outcome_id,
            now,
            case_id=spec.case_id,
            customer_id=spec.customer_id,
            data={
                "routing": spec.routing,
                "labels": list(spec.labels),
                "urgency": spec.urgency,
                "objection": spec.objection,
                "next_step": spec.next_step[:128],
                "promise_on": spec.promise_on.isoformat() if spec.promise_on else None,
                "promise_amount_minor": spec.promise_amount_minor,
                "currency": spec.currency,
                "right_party": spec.right_party,
                "conversation_id": spec.conversation_id,
                "channel": spec.channel,
                "interaction_id": spec.interaction_id,
                "summary": spec.summary[:1000],
                "confidence": spec.confidence,
                "model": spec.model,
                "language": spec.language,
            },
        )
    return stored
