"""Inbound customer messages: understand, record the outcome, and apply its consequences atomically.

An opt-out or cease lands in the same transaction as the message, so it binds the very next dispatch.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from arrears.agent import understand
from arrears.audit import record
from arrears.cases.routing import Routing, TurnDecision, route_turn
from arrears.cases.sync import StrategyResolver, cancel_pending_actions
from arrears.core.clock import Clock
from arrears.core.ids import idempotency_key, new_id
from arrears.engine.inbox import handles
from arrears.engine.outcome_review import review_reasons
from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.models import (
    Case,
    Customer,
    Hold,
    InboxEvent,
    Interaction,
    OptOut,
    OutboxAction,
    Outcome,
    Promise,
    Task,
)


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
    if decision.opt_out_channel or decision.opt_out_all:
        session.execute(
            insert(OptOut).values(
                id=new_id(),
                customer_id=case.customer_id,
                channel=None if decision.opt_out_all else channel,
                destination=None,
                reason="cease" if decision.opt_out_all else "opt_out",
                source=f"inbound {channel}",
                at=now,
            )
        )
        if decision.opt_out_all:
            cancel_pending_actions(session, [case.id])
        else:
            session.execute(
                update(OutboxAction)
                .where(
                    OutboxAction.case_id == case.id,
                    OutboxAction.channel == channel,
                    OutboxAction.status.in_(("pending", "review")),
                )
                .values(status="cancelled")
            )
    for kind in decision.hold_kinds:
        session.execute(
            insert(Hold).values(
                id=new_id(),
                customer_id=case.customer_id,
                case_id=case.id,
                kind=kind,
                scope="case",
                reason=f"customer said: {', '.join(labels)}",
                created_at=now,
            )
        )
    if decision.hold_kinds:
        cancel_pending_actions(session, [case.id])
    if decision.task_reason:
        insert_ignoring_duplicates(
            session,
            Task.__table__,
            [
                {
                    "id": new_id(),
                    "case_id": case.id,
                    "idempotency_key": idempotency_key("inbound", event.source, event.external_id),
                    "reason": decision.task_reason,
                    "team": "collections",
                    "owner": None,
                    "priority": 1 if decision.urgency == "high" else 2,
                    "due_at": now + timedelta(hours=24),
                    "status": "open",
                    "summary": _summary(labels, decision.next_step),
                    "context": {"labels": list(labels), "message": heard.redacted[:500]},
                    "created_at": now,
                    "closed_at": None,
                }
            ],
            ["idempotency_key"],
        )
    if (
        promise_on is not None
        and promise_minor is not None
        and decision.routing in (Routing.BOOKED, Routing.SENT_TO_REVIEW)
    ):
        session.execute(
            update(Promise)
            .where(Promise.case_id == case.id, Promise.status == "pending")
            .values(status="cancelled", resolved_at=now)
        )
        session.execute(
            insert(Promise).values(
                id=new_id(),
                case_id=case.id,
                amount_minor=promise_minor,
                currency=case.currency,
                due_on=promise_on,
                channel=channel,
                status="pending",
                interaction_id=interaction_id,
                created_at=now,
            )
        )
    if decision.send_payment_link and channel in ("sms", "whatsapp", "email"):
        insert_ignoring_duplicates(
            session,
            OutboxAction.__table__,
            [
                {
                    "id": new_id(),
                    "idempotency_key": idempotency_key("link", event.source, event.external_id),
                    "case_id": case.id,
                    "customer_id": case.customer_id,
                    "kind": "contact",
                    "step_id": "payment-link",
                    "channel": channel,
                    "destination": payload.get("from"),
                    "destination_kind": "mobile" if channel != "email" else "personal_email",
                    "template": "payment-link",
                    "payload": {"tone": "friendly", "payment_link": True, "reason": "customer asked to pay"},
                    "status": "pending",
                    "not_before": now,
                    "attempts": 0,
                    "created_at": now,
                }
            ],
            ["idempotency_key"],
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
