"""Conversation rows: found by provider id, by thread or by id (locked for the turn), created, and the
case a sender's number or address belongs to."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arrears.agent.dialogue import ConversationState
from arrears.cases.status import CaseStatus
from arrears.compliance.checks import normalise_destination
from arrears.conversations.codec import encode, transcript_text
from arrears.core.ids import new_id
from arrears.interactions import conversation_row, record_rows, update_transcript
from arrears.store.models import Case, ContactPoint, Conversation


class ConversationStatus(StrEnum):
    """Where a conversation stands (values stored in `conversations.status`)."""

    ACTIVE = "active"
    ENDED = "ended"
    VOICEMAIL = "voicemail"
    ABANDONED = "abandoned"


def find(session: Session, provider: str, provider_conversation_id: str) -> Conversation | None:
    query = select(Conversation).where(
        Conversation.provider == provider, Conversation.provider_conversation_id == provider_conversation_id
    )
    return session.scalars(query.with_for_update()).one_or_none()


def active_on_thread(session: Session, channel: str, thread: str) -> Conversation | None:
    """The conversation running on a text thread, locked (a thread has at most one active)."""
    query = select(Conversation).where(
        Conversation.channel == channel,
        Conversation.thread == thread,
        Conversation.status == ConversationStatus.ACTIVE,
    )
    return session.scalars(query.with_for_update()).one_or_none()


def get(session: Session, conversation_id: str) -> Conversation | None:
    query = select(Conversation).where(Conversation.id == conversation_id)
    return session.scalars(query.with_for_update()).one_or_none()


def case_for_sender(session: Session, sender: str) -> tuple[str, str] | None:
    """The newest open case of the customer whose phone, WhatsApp number or e-mail address this is."""
    bare = sender.removeprefix("whatsapp:").strip()
    if "@" in bare:
        channels: tuple[str, ...] = ("email",)
        values = {bare.lower()}
        column: Any = func.lower(ContactPoint.value)
    else:
        channels, values, column = (
            ("phone", "whatsapp"),
            {bare, normalise_destination(bare)},
            ContactPoint.value,
        )
    row = session.execute(
        select(Case.id, Case.customer_id)
        .join(ContactPoint, ContactPoint.customer_id == Case.customer_id)
        .where(ContactPoint.channel.in_(channels), column.in_(values), Case.status != CaseStatus.CLOSED.value)
        .order_by(Case.opened_at.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def create(
    session: Session,
    *,
    case_id: str,
    channel: str,
    provider: str,
    provider_conversation_id: str,
    now: datetime,
    destination: str | None,
    thread: str | None,
    outbox_id: str | None,
) -> Conversation:
    customer_id = session.scalars(select(Case.customer_id).where(Case.id == case_id)).one()
    conv = Conversation(
        id=new_id(),
        case_id=case_id,
        customer_id=customer_id,
        channel=channel,
        provider=provider,
        provider_conversation_id=provider_conversation_id,
        thread=thread,
        destination=destination,
        outbox_id=outbox_id,
        state={"dialogue": encode(ConversationState()), "seen": []},
        turn=0,
        last_reply="",
        status=ConversationStatus.ACTIVE,
        started_at=now,
        updated_at=now,
    )
    session.add(conv)
    session.flush()  # the unique provider id and active-thread index answer here, not at commit
    return conv


def save_transcript(
    session: Session, conv: Conversation, state: ConversationState, now: datetime, labels: tuple[str, ...]
) -> None:
    """One interaction per conversation holds its redacted transcript (the outcome links to it)."""
    text = transcript_text(state.transcript)
    detail: dict[str, Any] = {"conversation_id": conv.id, "labels": list(labels)}
    if conv.interaction_id is not None:
        update_transcript(session, conv.interaction_id, text, detail)
        return
    row = conversation_row(
        case_id=conv.case_id,
        customer_id=conv.customer_id,
        channel=conv.channel,
        at=now,
        provider=conv.provider,
        provider_id=conv.provider_conversation_id,
        transcript=text,
        detail=detail,
        outbox_id=conv.outbox_id,
        destination=conv.destination,
    )
    conv.interaction_id = row["id"]
    record_rows(session, [row])
