"""Inbound customer messages: understand, record the outcome, and apply its consequences atomically.

An opt-out or cease lands in the same transaction as the message, so it binds the very next dispatch.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from arrears.agent import understand
from arrears.agent.dialogue import (
    Action,
    OpenTask,
    RecordPromise,
    Routing,
    SendPaymentLink,
    StopContact,
    Urgency,
)
from arrears.audit import record
from arrears.cases.routing import ESCALATION, TurnDecision, route_turn
from arrears.cases.sync import StrategyResolver
from arrears.conversations.effects import Where, apply_actions
from arrears.core.clock import Clock
from arrears.core.ids import new_id
from arrears.core.money import Money
from arrears.engine.inbox import handles
from arrears.engine.outcome_review import review_reasons
from arrears.store.models import Case, Customer, InboxEvent, Interaction, Outcome, Promise


@handles("message.received")
def handle_message(session: Session, event: InboxEvent, clock: Clock, _resolve: StrategyResolver) -> None:
    payload: dict[str, Any] = event.payload
    now = clock.now()
    case = _case_for(session, payload)
    if case is None:
        raise LookupError(
            f"message {event.external_id}: no open case for customer {payload.get('customer_id')!r}"
        )
    channel = str(payload["channel"])
    text = str(payload.get("text", ""))
    local_now = now.astimezone(
        _zone(session.scalar(select(Customer.time_zone).where(Customer.id == case.customer_id)))
    )
    # Relative words ("Friday", "the 15th") mean the customer's calendar, not UTC's.
    heard = understand(text, local_now, channel, default_currency=case.currency)
    labels = tuple(heard.labels)
    decision = route_turn(
        labels,
        today=local_now.date(),
        promised_on=heard.date,
        amount_minor=heard.amount_minor if heard.currency in (None, case.currency) else None,
        balance_minor=case.balance_minor,
    )
    decision = _apply_strategy_routing(session, case, labels, decision, local_now.date())
    interaction_id = new_id()
    session.execute(
        insert(Interaction).values(
            id=interaction_id,
            case_id=case.id,
            customer_id=case.customer_id,
            channel=channel,
            direction="inbound",
            destination=payload.get("from"),
            provider=payload.get("provider", "local"),
            provider_id=payload.get("message_id"),
            status="received",
            connected=True,
            conversation=channel == "voice",
            occurred_at=now,
            transcript_redacted=heard.redacted,
            detail={"labels": list(labels)},
        )
    )
    promise_on, promise_minor = decision.promise if decision.promise else (None, None)
    session.execute(
        insert(Outcome).values(
            id=new_id(),
            idempotency_key=f"{event.source}:{event.external_id}",
            case_id=case.id,
            interaction_id=interaction_id,
            labels=list(labels),
            urgency=decision.urgency,
            objection=labels[0] if decision.routing in (Routing.ESCALATED, Routing.RETRIED) else None,
            promise_on=promise_on,
            promise_amount_minor=promise_minor,
            currency=case.currency,
            next_step=decision.next_step,
            routing=decision.routing.value,
            summary=_summary(labels, decision.next_step),
            created_at=now,
        )
    )
    where = Where(
        conversation_id=f"{event.source}:{event.external_id}",
        case_id=case.id,
        customer_id=case.customer_id,
        channel=channel,
        turn_key=event.external_id,
        destination=_address(payload.get("from")),
    )
    applied = apply_actions(session, _actions(decision, labels, channel, case.currency), where, now)
    if applied.promise_id is not None:
        session.execute(
            update(Promise).where(Promise.id == applied.promise_id).values(interaction_id=interaction_id)
        )
    # Re-plan at once: a promise pauses the ladder, a hold stops it, anything else lets it go on.
    session.execute(update(Case).where(Case.id == case.id).values(next_action_at=now, updated_at=now))
    record(
        session,
        at=now,
        actor="agent",
        action="message_understood",
        entity="case",
        entity_id=case.id,
        data={"labels": list(labels), "routing": decision.routing.value},
    )


def _actions(
    decision: TurnDecision, labels: tuple[str, ...], channel: str, currency: str
) -> tuple[Action, ...]:
    """The routing decision as the dialogue's actions, so texts and calls share one way of applying them."""
    actions: list[Action] = []
    if decision.opt_out_channel or decision.opt_out_all:
        actions.append(StopContact(None if decision.opt_out_all else channel))
    urgency = Urgency.HIGH if decision.urgency == "high" else Urgency.NORMAL
    summary = _summary(labels, decision.next_step)
    escalations = [label for label in labels if label in ESCALATION]
    actions += [OpenTask(label, summary, urgency) for label in escalations]  # each opens its hold
    if decision.task_reason and decision.task_reason not in escalations:
        actions.append(OpenTask(decision.task_reason, summary, urgency))
    if decision.promise is not None and decision.routing in (Routing.BOOKED, Routing.SENT_TO_REVIEW):
        day, amount = decision.promise
        actions.append(RecordPromise(day, Money(amount, currency)))
    if decision.send_payment_link and channel in ("sms", "whatsapp", "email"):
        actions.append(SendPaymentLink(channel))
    return tuple(actions)


def _address(value: object) -> str | None:
    """The sender's number or e-mail address, when the event carries a real one."""
    text = str(value or "")
    return text if text.startswith(("+", "whatsapp:+")) or "@" in text else None


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _apply_strategy_routing(
    session: Session, case: Case, labels: tuple[str, ...], decision: TurnDecision, today: date
) -> TurnDecision:
    """The strategy's routing rules may send an outcome the agent could complete to a person."""
    if decision.routing not in (Routing.BOOKED, Routing.CONFIRMED):
        return decision
    promised_on, promised_minor = decision.promise if decision.promise else (None, None)
    reasons = review_reasons(
        session, case.id, labels, today=today, promise_on=promised_on, promise_minor=promised_minor
    )
    if not reasons:
        return decision
    return replace(
        decision,
        routing=Routing.SENT_TO_REVIEW,
        task_reason=decision.task_reason or "review_outcome",
        next_step="a person confirms: " + "; ".join(reasons),
    )


def _case_for(session: Session, payload: dict[str, Any]) -> Case | None:
    query = select(Case).where(Case.status != "closed")
    if payload.get("case_id"):
        query = query.where(Case.id == payload["case_id"])
    else:
        query = query.where(Case.customer_id == payload.get("customer_id")).order_by(Case.opened_at)
    return session.scalars(query.limit(1)).first()


def _summary(labels: tuple[str, ...], next_step: str) -> str:
    said = ", ".join(label.replace("_", " ") for label in labels) or "nothing clear"
    return f"Customer: {said}. Next: {next_step}."
