"""Twilio SMS and WhatsApp webhooks: an inbound text, and delivery status of the ones we sent.

An inbound text is checked for revocation keywords before anything else: a STOP is an opt-out recorded in
this very transaction (it binds the next dispatch) and answered with the one confirmation the rules
allow; a keyword inside a longer sentence suppresses the channel and asks a person (RULES.md: suppress
first, then a person decides). Only a text with no keyword reaches the conversation service, whose reply
goes back as TwiML ``<Message>``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session
from twilio.twiml.messaging_response import MessagingResponse  # type: ignore[import-untyped]

from arrears.agent.dialogue import Routing
from arrears.api.deps import ClockDep, SessionDep
from arrears.api.twilio_webhooks import ConversationsDep, TwilioForm, twiml
from arrears.cases.opt_outs import record_opt_out
from arrears.compliance.checks import normalise_destination
from arrears.compliance.keywords import KeywordMatch, detect_revocation
from arrears.conversations.service import ConversationService
from arrears.core.ids import idempotency_key, new_id
from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.models import (
    Case,
    ContactPoint,
    Hold,
    Interaction,
    OptOut,
    Task,
)

router = APIRouter(prefix="/v1/twilio/messages", tags=["twilio"], include_in_schema=False)
PROVIDER = "twilio"


def _customers(session: Session, number: str) -> list[str]:
    values = {number, normalise_destination(number)}
    return list(
        session.scalars(
            select(ContactPoint.customer_id)
            .where(ContactPoint.channel.in_(("phone", "whatsapp")), ContactPoint.value.in_(values))
            .distinct()
        )
    )


def _revocation(
    session: Session,
    service: ConversationService,
    match: KeywordMatch,
    channel: str,
    thread: str,
    number: str,
    sid: str,
    now: datetime,
) -> str:
    customers = _customers(session, number)
    source = f"{PROVIDER}:{sid}"
    replayed = session.scalars(select(OptOut.id).where(OptOut.source == source).limit(1)).first() or (
        session.scalars(
            select(Task.id).where(Task.idempotency_key == idempotency_key("revocation", sid))
        ).first()
    )
    scope = match.medium or channel
    if customers and not replayed:
        if match.per_se:
            record_opt_out(
                session,
                customers,
                channel=scope,
                destination=None,
                reason="revocation",
                source=source,
                now=now,
            )
        else:
            _suppress_and_ask(session, customers, scope, sid, now)
        active = service.active_on_thread(session, channel, thread)
        if active is not None:
            service.abandon(session, active, now, "revocation keyword", Routing.CLOSED)
    if match.per_se:
        name = service.config.business_name
        return f"You're unsubscribed: {name} will send no more messages here."
    return "Thanks. A member of our team will review your message before we contact you again."


def _suppress_and_ask(session: Session, customers: list[str], scope: str, sid: str, now: datetime) -> None:
    cases = session.execute(
        select(Case.id, Case.customer_id).where(Case.customer_id.in_(customers), Case.status != "closed")
    ).all()
    for case_id, customer_id in cases:
        session.execute(
            insert(Hold).values(
                id=new_id(),
                customer_id=customer_id,
                case_id=case_id,
                kind="review",
                scope="channel",
                channel=scope,
                reason="possible revocation: a person decides",
                created_at=now,
            )
        )
    insert_ignoring_duplicates(
        session,
        Task.__table__,
        [
            {
                "id": new_id(),
                "case_id": cases[0][0] if cases else None,
                "idempotency_key": idempotency_key("revocation", sid),
                "reason": "possible_revocation",
                "team": "collections",
                "owner": None,
                "priority": 1,
                "due_at": now + timedelta(hours=4),
                "status": "open",
                "summary": f"A {scope} reply used a stop word inside a sentence. Decide whether it revokes.",
                "context": {"message_sid": sid, "channel": scope},
                "created_at": now,
                "closed_at": None,
            }
        ],
        ["idempotency_key"],
    )


@router.post("")
def inbound(form: TwilioForm, session: SessionDep, clock: ClockDep, service: ConversationsDep) -> Response:
    sender, ours = form.get("From", ""), form.get("To", "")
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    body = form.get("Body", "")
    channel = "whatsapp" if sender.startswith("whatsapp:") else "sms"
    number = sender.removeprefix("whatsapp:")
    thread = f"{number}|{ours.removeprefix('whatsapp:')}"
    now = clock.now()
    reply = MessagingResponse()
    if not sid or not number:
        return twiml(reply)
    match = detect_revocation(body)
    if match is not None:
        reply.message(_revocation(session, service, match, channel, thread, number, sid, now))
        return twiml(reply)
    result = service.message(
        session,
        channel=channel,
        provider=PROVIDER,
        thread=thread,
        message_id=sid,
        sender=number,
        text=body,
        now=now,
    )
    if result is not None and result.reply:
        reply.message(result.reply)
    return twiml(reply)


@router.post("/status")
def status(form: TwilioForm, session: SessionDep) -> Response:
    sid = form.get("MessageSid", "")
    facts: dict[str, Any] = {"delivery_status": form.get("MessageStatus", "")}
    if form.get("ErrorCode"):
        facts["error_code"] = form["ErrorCode"]
    rows = session.execute(
        select(Interaction.id, Interaction.detail).where(
            Interaction.provider == PROVIDER,
            Interaction.provider_id == sid,
            Interaction.direction == "outbound",
        )
    ).all()
    for row_id, detail in rows:
        session.execute(
            update(Interaction).where(Interaction.id == row_id).values(detail={**(detail or {}), **facts})
        )
    return Response(status_code=204)
