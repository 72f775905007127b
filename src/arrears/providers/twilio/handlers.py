"""What Twilio's webhooks mean, applied from the inbox: a customer's text, a delivery report, a call's
progress, and the turns of a live call (those two are applied in the request, through the same table)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.conversations.service import ConversationService, TurnResult
from arrears.conversations.words import Words, WordsService
from arrears.inbox import Handler, PermanentError
from arrears.interactions import DeliveryReport, DeliveryState, note_call, record_delivery
from arrears.store.models import Conversation, InboxEvent, OutboxAction

PROVIDER = "twilio"
_FINAL_CALL = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
_MESSAGE_STATES = {
    "accepted": DeliveryState.QUEUED,
    "queued": DeliveryState.QUEUED,
    "sending": DeliveryState.QUEUED,
    "sent": DeliveryState.SENT,
    "delivered": DeliveryState.DELIVERED,
    "read": DeliveryState.READ,
    "undelivered": DeliveryState.UNDELIVERED,
    "failed": DeliveryState.FAILED,
}
_CALL_STATES = {
    "completed": DeliveryState.DELIVERED,
    "busy": DeliveryState.UNDELIVERED,
    "no-answer": DeliveryState.UNDELIVERED,
    "failed": DeliveryState.FAILED,
    "canceled": DeliveryState.FAILED,
}


def handlers(conversations: ConversationService, words: WordsService) -> dict[str, Handler]:
    def message(session: Session, event: InboxEvent, now: datetime) -> Mapping[str, Any]:
        form = _form(event)
        sender = form.get("From", "")
        heard = words.hear(
            session,
            Words(
                channel="whatsapp" if sender.startswith("whatsapp:") else "sms",
                provider=PROVIDER,
                message_id=_required(form, "MessageSid"),
                sender=sender,
                recipient=form.get("To", ""),
                text=form.get("Body", ""),
            ),
            now,
        )
        return {"conversation_id": heard.conversation_id, "known": heard.known, "replied": bool(heard.reply)}

    def message_status(session: Session, event: InboxEvent, now: datetime) -> Mapping[str, Any]:
        form = _form(event)
        state = _MESSAGE_STATES.get(form.get("MessageStatus", ""))
        if state is None:
            return {"ignored": form.get("MessageStatus", "")}
        report = DeliveryReport(
            PROVIDER, _required(form, "MessageSid"), state, now, form.get("ErrorCode") or None
        )
        return {"moved": record_delivery(session, report)}

    def call_status(session: Session, event: InboxEvent, now: datetime) -> Mapping[str, Any]:
        form = _form(event)
        call_sid, status = _required(form, "CallSid"), form.get("CallStatus", "")
        facts: dict[str, Any] = {"call_status": status}
        if form.get("CallDuration", "").isdigit():
            facts["duration_seconds"] = int(form["CallDuration"])
        if form.get("AnsweredBy"):
            facts["answered_by"] = form["AnsweredBy"]
        note_call(session, PROVIDER, call_sid, facts)
        if status in _CALL_STATES:
            record_delivery(session, DeliveryReport(PROVIDER, call_sid, _CALL_STATES[status], now))
        if status in _FINAL_CALL:
            conv = conversations.find(session, PROVIDER, call_sid)
            if conv is not None:
                conversations.abandon(session, conv, now, f"call {status}")
        return {"status": status}

    def call_answer(session: Session, event: InboxEvent, now: datetime) -> Mapping[str, Any]:
        return _view(_answer(session, conversations, event.payload, now), session)

    def call_turn(session: Session, event: InboxEvent, now: datetime) -> Mapping[str, Any]:
        payload = event.payload
        form = payload.get("form") or {}
        conv = conversations.get(session, str(payload.get("conversation", "")))
        call_sid = str(form.get("CallSid", ""))
        if conv is None or conv.provider_conversation_id != call_sid:
            raise PermanentError("conversation", "no live call with this conversation id and CallSid")
        said = form.get("SpeechResult") or form.get("Digits") or ""
        turn = f"{call_sid}:{payload.get('turn')}"
        result = conversations.turn(session, conv.id, said, turn_key=turn, now=now)
        view = _view(result, session)
        view["transfer_to"] = conversations.config.transfer_number if result.transfer_summary else None
        return view

    return {
        "twilio.message": message,
        "twilio.message.status": message_status,
        "twilio.call.status": call_status,
        "twilio.call.answer": call_answer,
        "twilio.call.turn": call_turn,
    }


def _answer(
    session: Session, conversations: ConversationService, payload: Mapping[str, Any], now: datetime
) -> TurnResult | None:
    """A call was picked up: a machine hears the limited-content voicemail, a person the opening."""
    form = payload.get("form") or {}
    call_sid, key = _required(form, "CallSid"), payload.get("key")
    outbox = None
    if key:
        outbox = session.execute(
            select(OutboxAction.id, OutboxAction.case_id, OutboxAction.destination).where(
                OutboxAction.idempotency_key == key
            )
        ).first()
    if outbox is not None:
        outbox_id, case_id, destination = outbox
    else:  # the customer called us
        destination = form.get("From", "")
        found = conversations.case_for_sender(session, destination)
        if found is None:
            return None
        outbox_id, case_id = None, found[0]
    answered_by = form.get("AnsweredBy", "human" if outbox is None else "unknown")
    note_call(session, PROVIDER, call_sid, {"answered_by": answered_by})
    common = {"case_id": case_id, "provider": PROVIDER, "provider_conversation_id": call_sid, "now": now}
    if answered_by.startswith("machine") or answered_by == "fax":
        return conversations.voicemail(session, destination=destination, outbox_id=outbox_id, **common)
    return conversations.open(
        session, channel="voice", destination=destination, outbox_id=outbox_id, **common
    )


def _view(result: TurnResult | None, session: Session) -> dict[str, Any]:
    if result is None:
        return {"reply": None, "ended": True, "unknown_caller": True}
    turn = session.scalar(select(Conversation.turn).where(Conversation.id == result.conversation_id))
    return {
        "reply": result.reply,
        "ended": result.ended,
        "conversation_id": result.conversation_id,
        "turn": int(turn or 0),
        "outcome_id": result.outcome_id,
        "language": result.language,
    }


def _form(event: InboxEvent) -> dict[str, str]:
    payload = event.payload
    form = payload.get("form", payload)
    return {str(k): str(v) for k, v in form.items()}


def _required(form: Mapping[str, str], name: str) -> str:
    value = form.get(name, "")
    if not value:
        raise PermanentError(name, f"Twilio sent no {name}")
    return value
