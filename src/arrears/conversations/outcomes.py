"""The outcome row a conversation leaves: written once, under the conversation's provider id (the call
SID, the first message SID), so a replayed webhook finds it instead of writing a second one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from arrears.agent.dialogue import ConversationState, Outcome, Routing, Urgency
from arrears.agent.labels import Label, rank
from arrears.core.ids import idempotency_key, new_id
from arrears.engine.outcome_review import review_reasons
from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.models import Case, Conversation, Promise, Task
from arrears.store.models import Outcome as OutcomeRow


def abandoned_outcome(state: ConversationState, reason: str, routing: Routing = Routing.RETRIED) -> Outcome:
    labels = tuple(sorted(set(state.labels) - {Label.UNCLEAR}, key=rank))
    return Outcome(
        labels=labels,
        urgency=Urgency.LOW,
        objection=state.objection,
        promise=None,
        next_step="conversation cut short; the strategy continues",
        routing=routing,
        summary=f"The conversation ended before a decision ({reason}) at the {state.stage.value} stage.",
        transcript=state.transcript,
    )


def write_outcome(
    session: Session, conv: Conversation, outcome: Outcome, promise_id: str | None, now: datetime
) -> str:
    key = conv.provider_conversation_id
    currency = session.scalars(select(Case.currency).where(Case.id == conv.case_id)).one()
    promise = outcome.promise
    routing, next_step = outcome.routing.value, outcome.next_step
    if outcome.routing in (Routing.BOOKED, Routing.CONFIRMED):
        reasons = review_reasons(
            session,
            conv.case_id,
            [label.value for label in outcome.labels],
            today=now.date(),
            promise_on=promise.day if promise else None,
            promise_minor=promise.amount.minor if promise else None,
        )
        if reasons:
            routing, next_step = Routing.SENT_TO_REVIEW.value, "a person confirms: " + "; ".join(reasons)
            _review_task(session, conv, key, next_step, outcome.summary, now)
    insert_ignoring_duplicates(
        session,
        OutcomeRow.__table__,
        [
            {
                "id": new_id(),
                "idempotency_key": key,
                "case_id": conv.case_id,
                "interaction_id": conv.interaction_id,
                "labels": [label.value for label in outcome.labels],
                "urgency": outcome.urgency.value,
                "objection": (outcome.objection or None) and outcome.objection[:64],
                "promise_on": promise.day if promise else None,
                "promise_amount_minor": promise.amount.minor if promise else None,
                "currency": currency,
                "next_step": next_step[:128],
                "routing": routing,
                "summary": outcome.summary[:4000],
                "confidence": None,
                "created_at": now,
            }
        ],
        ["idempotency_key"],
    )
    if promise_id is not None and conv.interaction_id is not None:
        session.execute(
            update(Promise).where(Promise.id == promise_id).values(interaction_id=conv.interaction_id)
        )
    return str(session.scalars(select(OutcomeRow.id).where(OutcomeRow.idempotency_key == key)).one())


def _review_task(
    session: Session, conv: Conversation, key: str, why: str, summary: str, now: datetime
) -> None:
    insert_ignoring_duplicates(
        session,
        Task.__table__,
        [
            {
                "id": new_id(),
                "case_id": conv.case_id,
                "idempotency_key": idempotency_key("review", key),
                "reason": "review_outcome",
                "team": "collections",
                "owner": None,
                "priority": 2,
                "due_at": now + timedelta(hours=24),
                "status": "open",
                "summary": f"{why}. {summary}"[:4000],
                "context": {"conversation_id": conv.id},
                "created_at": now,
                "closed_at": None,
            }
        ],
        ["idempotency_key"],
    )
