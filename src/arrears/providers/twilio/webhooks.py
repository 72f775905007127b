"""Twilio's webhooks: verified, stored in the inbox once, and answered.

The signature is checked against the URL Twilio requested, which behind a proxy is the public one
(``public_base_url`` + path + query), before anything is stored: a forged request gets 403 and records
nothing. A text and a status report are stored for the worker and answered at once (an empty ``<Response>``
for a text: the agent's answer goes out as its own message, through the outbox and the contact gate; 204
for a report). A call must be answered in the request: its answer and each turn are stored and applied
through the same handler table, and the TwiML says what the handler decided.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from arrears.inbox import Applied, Inbox, InboxStatus
from arrears.providers.twilio.client import TwilioConfig, signature_valid
from twilio.twiml.messaging_response import MessagingResponse  # type: ignore[import-untyped]
from twilio.twiml.voice_response import Gather, VoiceResponse  # type: ignore[import-untyped]

SOURCE = "twilio"
_MAX_FORM = 64 * 1024
_SORRY = "Sorry, something went wrong. We will call you back. Goodbye."


def routes(config: TwilioConfig, inbox: Inbox) -> APIRouter:
    router = APIRouter(prefix="/v1/twilio", tags=["twilio"], include_in_schema=False)

    async def verified(request: Request) -> dict[str, str]:
        body = await request.body()
        if len(body) > _MAX_FORM:
            return _raise(413, "a Twilio webhook form is small")
        params = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        url = _public_url(request, config)
        if not signature_valid(config.auth_token, url, params, request.headers.get("X-Twilio-Signature")):
            return _raise(403, "X-Twilio-Signature does not match this request")
        return params

    signed = Depends(verified)

    @router.post("/messages")
    def inbound_message(form: dict[str, str] = signed) -> Response:
        sid = form.get("MessageSid") or form.get("SmsSid") or ""
        if sid and form.get("From"):
            inbox.store(source=SOURCE, external_id=sid, kind="twilio.message", payload=form)
        return _xml(MessagingResponse())

    @router.post("/messages/status")
    def message_status(
        form: dict[str, str] = signed, key: str | None = Query(None, max_length=64)
    ) -> Response:
        sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "")
        if sid and status:
            payload = {"form": form, "key": key}  # our idempotency key, from the StatusCallback URL
            inbox.store(
                source=SOURCE, external_id=f"{sid}:{status}", kind="twilio.message.status", payload=payload
            )
        return Response(status_code=204)

    @router.post("/voice/status")
    def call_status(form: dict[str, str] = signed, key: str | None = Query(None, max_length=64)) -> Response:
        sid, status = form.get("CallSid", ""), form.get("CallStatus", "")
        if sid and status:
            payload = {"form": form, "key": key}
            inbox.store(
                source=SOURCE, external_id=f"{sid}:{status}", kind="twilio.call.status", payload=payload
            )
        return Response(status_code=204)

    @router.post("/voice/answer")
    def answer(form: dict[str, str] = signed, key: str | None = Query(None, max_length=64)) -> Response:
        sid = form.get("CallSid", "")
        if not sid:
            return _goodbye(_SORRY)
        applied = inbox.take_now(
            source=SOURCE,
            external_id=f"{sid}:answer",
            kind="twilio.call.answer",
            payload={"form": form, "key": key},
        )
        return _voice(config, applied)

    @router.post("/voice/turn")
    def turn(
        form: dict[str, str] = signed,
        conversation: str = Query(..., max_length=32),
        turn: int = Query(..., ge=0, le=10_000),
    ) -> Response:
        sid = form.get("CallSid", "")
        payload: dict[str, Any] = {"form": form, "conversation": conversation, "turn": turn}
        applied = inbox.take_now(
            source=SOURCE, external_id=f"{sid}:turn:{turn}", kind="twilio.call.turn", payload=payload
        )
        return _voice(config, applied)

    return router


def _voice(config: TwilioConfig, applied: Applied) -> Response:
    """The TwiML for what the handler decided: say the reply and gather the next turn, or end the call."""
    result = applied.result or {}
    if applied.status is not InboxStatus.DONE or not result.get("reply"):
        unknown = result.get("unknown_caller")
        return _goodbye("Sorry, we couldn't find an account for this number. Goodbye." if unknown else _SORRY)
    response = VoiceResponse()
    speech = _SPEECH.get(str(result.get("language") or "en"), {})
    if result.get("ended"):
        response.say(result["reply"], **speech)
        if result.get("transfer_to"):
            response.dial(result["transfer_to"])
        response.hangup()
        return _xml(response)
    base = config.public_base_url or ""
    action = f"{base}/v1/twilio/voice/turn?conversation={result['conversation_id']}&turn={result['turn']}"
    gather = Gather(
        input="speech dtmf",
        action=action,
        method="POST",
        speech_timeout="auto",
        timeout=6,
        action_on_empty_result=True,
        **_LISTEN.get(str(result.get("language") or "en"), {}),
    )
    gather.say(result["reply"], **speech)
    response.append(gather)
    return _xml(response)


#: A Spanish conversation is said in Spanish (the default voices speak "es") and heard by Spanish speech
#: recognition; English keeps Twilio's defaults.
_SPEECH: dict[str, dict[str, str]] = {"es": {"language": "es"}}
_LISTEN: dict[str, dict[str, str]] = {"es": {"language": "es-US"}}


def _goodbye(text: str) -> Response:
    response = VoiceResponse()
    response.say(text)
    response.hangup()
    return _xml(response)


def _xml(document: object) -> Response:
    return Response(content=str(document), media_type="application/xml")


def _public_url(request: Request, config: TwilioConfig) -> str:
    if not config.public_base_url:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{config.public_base_url}{request.url.path}{query}"


def _raise(status: int, detail: str) -> dict[str, str]:
    raise HTTPException(status_code=status, detail=detail)
