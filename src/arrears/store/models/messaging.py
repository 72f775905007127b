"""The inbox of events (stored once) and the outbox of actions (sent once)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from arrears.core.ids import new_id
from arrears.store.base import Base


class InboxEvent(Base):
    __tablename__ = "inbox_events"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_inbox_pending", "status", "received_at"),
        Index("ix_inbox_retry", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="pending")  # arrears.inbox.InboxStatus
    error: Mapped[str | None] = mapped_column(Text)
    # Times applying was tried; a failed event is tried again at `next_attempt_at` (null: not again).
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    # Why applying failed, as an RFC 9457 problem body (what GET /v1/events/{id} shows).
    problem: Mapped[dict[str, Any] | None] = mapped_column()
    # What applying answered (a reply to speak, say), so a redelivered webhook gets the same answer.
    result: Mapped[dict[str, Any] | None] = mapped_column()
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]


_UNSENT = "status IN ('pending', 'review', 'leased')"


class OutboxAction(Base):
    """One outbound action; the idempotency key makes planning it twice a no-op."""

    __tablename__ = "outbox_actions"
    __table_args__ = (
        Index("ix_outbox_ready", "status", "not_before"),
        # Partial: a customer's rows that have not left yet, which the planner counts as contacts.
        Index(
            "ix_outbox_unsent_customer",
            "customer_id",
            postgresql_where=text(_UNSENT),
            sqlite_where=text(_UNSENT),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[str] = mapped_column(String(32), index=True)
    customer_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # contact | promise_reminder | task | handoff | placement
    step_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    destination: Mapped[str | None] = mapped_column(String(320))
    destination_kind: Mapped[str | None] = mapped_column(String(32))
    template: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # pending | review | leased | sent | failed | unknown | cancelled | refused
    status: Mapped[str] = mapped_column(String(16), default="pending")
    not_before: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    provider_id: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
