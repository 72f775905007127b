"""Twilio voice webhooks: answer, one ``<Gather>`` per turn, and call status.

``/answer`` is fetched once Twilio knows who picked up (synchronous answering-machine detection): a
machine gets the limited-content voicemail and nothing else; a person gets the dialogue's opening. Each
``<Gather input="speech dtmf">`` posts to ``/turn`` with the conversation and turn number in its URL, so a
retried request is recognised as the same turn. ``/status`` records the call's progress on the outbound
interaction and ends a conversation the caller hung up on with an outcome. Every route takes a verified
form (403 and nothing recorded otherwise); the dialogue itself never sees Twilio.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import Gather, VoiceResponse  # type: ignore[import-untyped]

from arrears.api.deps import ClockDep, SessionDep
from arrears.api.twilio_webhooks import ConversationsDep, TwilioDep, TwilioForm, twiml
from arrears.conversations.service import TurnResult
from arrears.integrations.twilio import TwilioConfig
from arrears.store.models import Conversation, Interaction, OutboxAction

router = APIRouter(prefix="/v1/twilio/voice", tags=["twilio"], include_in_schema=False)
PROVIDER = "twilio"
_FINAL = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


def _base(config: TwilioConfig) -> str:
    return config.public_base_url or ""


def _turn_response(config: TwilioConfig, result: TurnResult, turn: int, transfer_to: str | None) -> Response:
    response = VoiceResponse()
    if result.ended:
        response.say(result.reply)
        if result.transfer_summary and transfer_to:
            response.dial(transfer_to)
        response.hangup()
        return twiml(response)
    action = f"{_base(config)}/v1/twilio/voice/turn?conversation={result.conversation_id}&turn={turn}"
    gather = Gather(
        input="speech dtmf",
        action=action,
        method="POST",
        speech_timeout="auto",
        timeout=6,
        action_on_empty_result=True,
    )
    gather.say(result.reply)
    response.append(gather)
    return twiml(response)


def _goodbye(text: str) -> Response:
    response = VoiceResponse()
    response.say(text)
    response.hangup()
    return twiml(response)


def _note_call(session: Session, call_sid: str, values: dict[str, Any]) -> None:
    """Merge call facts into the outbound interaction's detail (status stays the dispatcher's "sent",
    which the attempt counts read)."""
    rows = session.execute(
        select(Interaction.id, Interaction.detail).where(
            Interaction.provider == PROVIDER,
            Interaction.provider_id == call_sid,
            Interaction.direction == "outbound",
        )
    ).all()
    connected = values.get("answered_by") == "human" or None
    for row_id, detail in rows:
        changes: dict[str, Any] = {"detail": {**(detail or {}), **values}}
        if connected:
            changes |= {"connected": True, "conversation": True}
        session.execute(update(Interaction).where(Interaction.id == row_id).values(**changes))


@router.post("/answer")
def answer(
    form: TwilioForm,
    config: TwilioDep,
    session: SessionDep,
    clock: ClockDep,
    service: ConversationsDep,
    key: str | None = Query(None, max_length=64),
) -> Response:
    call_sid = form.get("CallSid", "")
    if not call_sid:
        return _goodbye("Sorry, something went wrong. Goodbye.")
    now = clock.now()
    outbox = (
        session.execute(
            select(OutboxAction.id, OutboxAction.case_id, OutboxAction.destination).where(
                OutboxAction.idempotency_key == key
            )
        ).first()
        if key
        else None
    )
    if outbox is not None:
        outbox_id, case_id, destination = outbox
    else:  # the customer called us
        destination = form.get("From", "")
        found = service.case_for_number(session, destination)
        if found is None:
            return _goodbye("Sorry, we couldn't find an account for this number. Goodbye.")
        outbox_id, case_id = None, found[0]
    answered_by = form.get("AnsweredBy", "human" if outbox is None else "unknown")
    _note_call(session, call_sid, {"answered_by": answered_by})
    if answered_by.startswith("machine") or answered_by == "fax":
        result = service.voicemail(
            session,
            case_id=case_id,
            provider=PROVIDER,
            provider_conversation_id=call_sid,
            now=now,
            destination=destination,
            outbox_id=outbox_id,
        )
        return _goodbye(result.reply)
    result = service.open(
        session,
        case_id=case_id,
        channel="voice",
        provider=PROVIDER,
        provider_conversation_id=call_sid,
        now=now,
        destination=destination,
        outbox_id=outbox_id,
    )
    turn = _current_turn(session, result.conversation_id)
    return _turn_response(config, result, turn, None)


def _current_turn(session: Session, conversation_id: str) -> int:
    return int(session.scalars(select(Conversation.turn).where(Conversation.id == conversation_id)).one())


@router.post("/turn")
def turn(
    form: TwilioForm,
    config: TwilioDep,
    session: SessionDep,
    clock: ClockDep,
    service: ConversationsDep,
    conversation: str = Query(..., max_length=32),
    turn: int = Query(..., ge=0, le=10_000),
) -> Response:
    conv = service.get(session, conversation)
    call_sid = form.get("CallSid", "")
    if conv is None or conv.provider_conversation_id != call_sid:
        return _goodbye("Sorry, something went wrong. Goodbye.")
    said = form.get("SpeechResult") or form.get("Digits") or ""
    result = service.turn(session, conv.id, said, turn_key=f"{call_sid}:{turn}", now=clock.now())
    return _turn_response(config, result, conv.turn, service.config.transfer_number)


@router.post("/status")
def status(
    form: TwilioForm,
    session: SessionDep,
    clock: ClockDep,
    service: ConversationsDep,
    key: str | None = Query(None, max_length=64),
) -> Response:
    del key
    call_sid = form.get("CallSid", "")
    call_status = form.get("CallStatus", "")
    facts: dict[str, Any] = {"call_status": call_status}
    if form.get("CallDuration"):
        facts["duration_seconds"] = int(form["CallDuration"]) if form["CallDuration"].isdigit() else None
    if form.get("AnsweredBy"):
        facts["answered_by"] = form["AnsweredBy"]
    _note_call(session, call_sid, facts)
    if call_status in _FINAL:
        conv = service.find(session, PROVIDER, call_sid)
        if conv is not None:
            service.abandon(session, conv, clock.now(), f"call {call_status}")
    return Response(status_code=204)
