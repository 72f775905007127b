"""Web chat: a customer portal (holding an API key with the ``chat`` scope) relays what its signed-in
customer types; the same conversation service as calls and texts answers.

``POST /v1/chat`` opens a conversation on a case and returns the agent's opening; ``POST
/v1/chat/{id}/messages`` takes one customer turn. Send an Idempotency-Key per message: a retry with the
same key gets the same reply and changes nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header
from pydantic import BaseModel, ConfigDict, Field

from arrears.api.deps import ClockDep, SessionDep, require
from arrears.api.keys import Principal
from arrears.api.problems import ProblemError
from arrears.api.twilio_webhooks import ConversationsDep
from arrears.conversations.context import CaseNotFound
from arrears.conversations.service import TurnResult
from arrears.core.ids import new_id

router = APIRouter(prefix="/v1/chat", tags=["chat"])
Chat = Annotated[Principal, Depends(require("chat"))]


class ChatOpen(BaseModel):
    model_config = ConfigDict(extra="forbid")
    case_id: str = Field(min_length=1, max_length=32)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=4000)


class ChatReply(BaseModel):
    conversation_id: str
    reply: str
    ended: bool
    replayed: bool
    outcome_id: str | None


def _view(result: TurnResult) -> ChatReply:
    return ChatReply(
        conversation_id=result.conversation_id,
        reply=result.reply,
        ended=result.ended,
        replayed=result.replayed,
        outcome_id=result.outcome_id,
    )


def _not_found(detail: str) -> ProblemError:
    return ProblemError(404, "not-found", "Not Found", detail)


@router.post("", response_model=ChatReply, status_code=201)
def open_chat(
    body: ChatOpen, _principal: Chat, session: SessionDep, clock: ClockDep, service: ConversationsDep
) -> ChatReply:
    """Open a chat on an open case; the agent speaks first (and says nothing about the debt yet)."""
    try:
        result = service.open(
            session,
            case_id=body.case_id,
            channel="chat",
            provider="web",
            provider_conversation_id=new_id(),
            now=clock.now(),
        )
    except CaseNotFound:
        raise _not_found(f"no case {body.case_id!r}") from None
    return _view(result)


@router.post("/{conversation_id}/messages", response_model=ChatReply)
def post_message(
    conversation_id: str,
    body: ChatMessage,
    _principal: Chat,
    session: SessionDep,
    clock: ClockDep,
    service: ConversationsDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> ChatReply:
    """One customer turn; the reply, and the outcome id once the conversation has ended."""
    conv = service.get(session, conversation_id)
    if conv is None or conv.channel != "chat":
        raise _not_found(f"no chat conversation {conversation_id!r}")
    result = service.turn(session, conv.id, body.text, turn_key=idempotency_key or new_id(), now=clock.now())
    return _view(result)
