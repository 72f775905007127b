"""Every attempt and conversation, and the structured outcome it ended in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from arrears.core.ids import new_id
from arrears.store.base import Base


class Interaction(Base):
    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_customer_at", "customer_id", "occurred_at"),
        Index("ix_interactions_provider", "provider", "provider_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    outbox_id: Mapped[str | None] = mapped_column(String(32), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))  # outbound | inbound
    destination: Mapped[str | None] = mapped_column(String(320))
    destination_kind: Mapped[str | None] = mapped_column(String(32))
    provider: Mapped[str | None] = mapped_column(String(32))
    provider_id: Mapped[str | None] = mapped_column(String(128))
    # planned | sent | delivered | failed | refused | deferred | unknown | received | answered | voicemail
    status: Mapped[str] = mapped_column(String(16))
    connected: Mapped[bool] = mapped_column(default=False)
    conversation: Mapped[bool] = mapped_column(default=False)
    planned_at: Mapped[datetime | None]
    occurred_at: Mapped[datetime]
    decision: Mapped[dict[str, Any] | None] = mapped_column()
    transcript_redacted: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # What the provider last reported about an outbound message (arrears.interactions.DeliveryState).
    delivery_status: Mapped[str | None] = mapped_column(String(16))
    delivery_updated_at: Mapped[datetime | None]


class Outcome(Base):
    __tablename__ = "outcomes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)  # e.g. the call SID
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    interaction_id: Mapped[str | None] = mapped_column(ForeignKey("interactions.id", ondelete="SET NULL"))
    labels: Mapped[list[str]] = mapped_column(default=list)
    urgency: Mapped[str] = mapped_column(String(16), default="normal")  # low | normal | high
    objection: Mapped[str | None] = mapped_column(String(64))
    promise_on: Mapped[date | None]
    promise_amount_minor: Mapped[int | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    next_step: Mapped[str | None] = mapped_column(String(128))
    # booked | recovered | confirmed | escalated | nurtured | closed | retried | sent_to_review
    routing: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(String(4000), default="")
    confidence: Mapped[float | None]
    # The understanding model that read the customer's turns ("rules", or version+content hash).
    model: Mapped[str | None] = mapped_column(String(64))
    #: The language the conversation was held in, or the one the customer wrote that the agent does not
    #: speak (a person who does takes it over).
    language: Mapped[str | None] = mapped_column(String(16))
    # Whether the agent spoke with the customer (identity verified); null where nobody was reached.
    right_party: Mapped[bool | None]
    created_at: Mapped[datetime]
