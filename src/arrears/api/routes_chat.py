"""Web chat: a customer portal (holding an API key with the ``chat`` scope) relays what its signed-in
customer types; the same conversation service as calls and texts answers.

Each request is stored in the inbox and applied at once through the same handler table as everything
else, because the customer is waiting for the reply. ``POST /v1/chat`` opens a conversation on a case and
returns the agent's opening; ``POST /v1/chat/{id}/messages`` takes one customer turn. Send an
Idempotency-Key per message: a retry with the same key gets the same reply and changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field

from arrears.api.bodies import Body
from arrears.api.deps import Chat, InboxDep
from arrears.api.openapi import problems
from arrears.api.problems import ProblemError
from arrears.core.ids import new_id
from arrears.inbox import Applied, InboxStatus

router = APIRouter(prefix="/v1/chat", tags=["chat"])
ERRORS = problems(401, 403, 404, 413, 422)


class ChatOpen(Body):
    case_id: str = Field(min_length=1, max_length=32)


class ChatMessage(Body):
    text: str = Field(max_length=4000)


class ChatReply(BaseModel):
    conversation_id: str
    reply: str
    ended: bool
    replayed: bool
    outcome_id: str | None


def _reply(applied: Applied) -> ChatReply:
    if applied.status is not InboxStatus.DONE or applied.result is None:
        problem: dict[str, Any] = dict(applied.problem or {})
        status = int(problem.get("status", 500))
        slug = "not-found" if status == 404 else "chat-failed"
        raise ProblemError(
            status, slug, str(problem.get("title", "Chat failed")), str(problem.get("detail", ""))
        )
    reply = ChatReply.model_validate(applied.result)
    return reply.model_copy(update={"replayed": reply.replayed or applied.replayed})


@router.post("", response_model=ChatReply, status_code=201, responses=ERRORS)
def open_chat(
    body: ChatOpen,
    principal: Chat,
    inbox: InboxDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> ChatReply:
    """Open a chat on an open case; the agent speaks first (and says nothing about the debt yet)."""
    applied = inbox.take_now(
        source=f"chat:{principal.prefix}",
        external_id=f"open:{idempotency_key or new_id()}",
        kind="chat.open",
        payload={"case_id": body.case_id},
    )
    return _reply(applied)


@router.post("/{conversation_id}/messages", response_model=ChatReply, responses=ERRORS)
def post_message(
    conversation_id: str,
    body: ChatMessage,
    principal: Chat,
    inbox: InboxDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> ChatReply:
    """One customer turn; the reply, and the outcome id once the conversation has ended."""
    applied = inbox.take_now(
        source=f"chat:{principal.prefix}",
        external_id=f"{conversation_id[:32]}:{idempotency_key or new_id()}",
        kind="chat.message",
        payload={"conversation_id": conversation_id, "text": body.text},
    )
    return _reply(applied)
