"""A live conversation between webhook calls: which case, which thread, and the dialogue state as JSON.

Voice turns arrive as separate HTTP requests and text replies may come hours apart, so the pure
dialogue's ``ConversationState`` is persisted here and loaded (under a row lock) for every turn.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from arrears.core.ids import new_id
from arrears.store.base import Base


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("provider", "provider_conversation_id"),
        # One open thread per phone pair: the next text on that pair continues it rather than starting over.
        Index(
            "uq_conversations_one_active_thread",
            "channel",
            "thread",
            unique=True,
            postgresql_where=text("status = 'active' AND thread IS NOT NULL"),
            sqlite_where=text("status = 'active' AND thread IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))  # voice | sms | whatsapp | chat
    provider: Mapped[str] = mapped_column(String(32))  # twilio | web | terminal | local
    # voice: the call SID; messaging: the first message SID of the thread; chat: the conversation id
    provider_conversation_id: Mapped[str] = mapped_column(String(128))
    # messaging: "customer number|our number"; null where the provider id already names the thread
    thread: Mapped[str | None] = mapped_column(String(160))
    destination: Mapped[str | None] = mapped_column(String(320))  # the customer's number or address
    outbox_id: Mapped[str | None] = mapped_column(String(32))  # the planned contact this answers
    interaction_id: Mapped[str | None] = mapped_column(String(32))  # holds the redacted transcript
    # {"dialogue": the encoded ConversationState, "seen": turn keys already applied (replays)}
    state: Mapped[dict[str, Any]] = mapped_column()
    turn: Mapped[int] = mapped_column(default=0)
    last_reply: Mapped[str] = mapped_column(String(4000), default="")
    # active | ended | voicemail | abandoned
    status: Mapped[str] = mapped_column(String(16), default="active")
    outcome_id: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
