"""Inbox handlers for words that arrive through our own API: a relayed message (`message.received`) and
the web chat (`chat.open`, `chat.message`, applied in the request because the customer waits)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from arrears.conversations.context import CaseNotFound
from arrears.conversations.service import ConversationService, TurnResult
from arrears.conversations.words import Words, WordsService
from arrears.events.schemas import MessageReceived
from arrears.inbox import Handler, NotFound, PermanentError
from arrears.store.models import InboxEvent


def conversation_handlers(conversations: ConversationService, words: WordsService) -> dict[str, Handler]:
    def message_received(session: Session, event: InboxEvent, now: datetime) -> Mapping[str, Any]:
        try:
            message = MessageReceived.model_validate(event.payload)
        except ValueError as exc:
            raise PermanentError("body", str(exc).splitlines()[0]) from None
        heard = words.hear(
            session,
            Words(
                channel=message.channel,
                provider=event.source,
                message_id=message.message_id,
                sender=message.sender,
                recipient=message.recipient,
                text=message.text,
                case_id=message.case_id,
            ),
            now,
        )
        if not heard.known:
            raise NotFound("sender", "no customer with an open case writes from this number or address")
        return {"conversation_id": heard.conversation_id, "replied": bool(heard.reply)}

    def chat_open(session: Session, event: InboxEvent, now: datetime) -> Mapping[str, Any]:
        try:
            result = conversations.open(
                session,
                case_id=str(event.payload["case_id"]),
                channel=str(event.payload.get("channel") or "chat"),
                provider="terminal" if event.source == "terminal" else "web",
                provider_conversation_id=event.external_id,
                now=now,
            )
        except CaseNotFound:
            raise NotFound("case_id", f"no case {event.payload.get('case_id')!r}") from None
        return _view(result)

    def chat_message(session: Session, event: InboxEvent, now: datetime) -> Mapping[str, Any]:
        conversation_id = str(event.payload["conversation_id"])
        conv = conversations.get(session, conversation_id)
        if conv is None or conv.provider not in ("web", "terminal"):
            raise NotFound("conversation_id", f"no chat conversation {conversation_id!r}")
        text = str(event.payload.get("text", ""))
        return _view(conversations.turn(session, conv.id, text, turn_key=event.external_id, now=now))

    return {"message.received": message_received, "chat.open": chat_open, "chat.message": chat_message}


def _view(result: TurnResult) -> dict[str, Any]:
    return {
        "conversation_id": result.conversation_id,
        "reply": result.reply,
        "ended": result.ended,
        "replayed": result.replayed,
        "outcome_id": result.outcome_id,
    }
