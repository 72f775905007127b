"""The outcome a conversation leaves, under the conversation's provider id (the call SID, the first
message's id), so a replayed delivery finds it instead of writing a second one. An outcome the agent could
complete goes to a person first when the case's strategy says so (a review task)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.agent.dialogue import ConversationState, Outcome, Routing, Urgency
from arrears.agent.labels import Label, rank
from arrears.core.ids import idempotency_key
from arrears.outcomes import OutcomeSpec, StrategyLookup, record_outcome, review_reasons
from arrears.promises import link_interaction
from arrears.store.models import Case, Conversation
from arrears.tasks import TaskSpec, open_task


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
        language=state.language,
    )


def write_outcome(
    session: Session,
    conv: Conversation,
    outcome: Outcome,
    promise_id: str | None,
    now: datetime,
    *,
    right_party: bool,
    strategy_for: StrategyLookup,
) -> str:
    key = conv.provider_conversation_id
    reading = conv.state.get("reading", {})  # the weakest confidence over the customer's turns, and the model
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
            strategy_for=strategy_for,
        )
        if reasons:
            routing, next_step = Routing.SENT_TO_REVIEW.value, "a person confirms: " + "; ".join(reasons)
            summary = f"{next_step}. {outcome.summary}"
            spec = TaskSpec(
                idempotency_key=idempotency_key("review", key),
                case_id=conv.case_id,
                reason="review_outcome",
                summary=summary,
                priority=2,
                context={"conversation_id": conv.id, "promise_id": promise_id},
            )
            open_task(session, spec, actor="agent", now=now)
    outcome_id = record_outcome(
        session,
        OutcomeSpec(
            key=key,
            case_id=conv.case_id,
            customer_id=conv.customer_id,
            interaction_id=conv.interaction_id,
            labels=tuple(label.value for label in outcome.labels),
            urgency=outcome.urgency.value,
            routing=routing,
            next_step=next_step,
            summary=outcome.summary,
            currency=currency,
            objection=outcome.objection,
            promise_on=promise.day if promise else None,
            promise_amount_minor=promise.amount.minor if promise else None,
            right_party=right_party,
            conversation_id=conv.id,
            channel=conv.channel,
            confidence=reading.get("confidence"),
            model=reading.get("model"),
            language=outcome.language,
        ),
        now,
    )
    if promise_id is not None and conv.interaction_id is not None:
        link_interaction(session, promise_id, conv.interaction_id)
    return outcome_id
