"""The feed of domain events: what changed, written in the transaction that changed it, read in order.

`seq` orders events within one database; on PostgreSQL `txid` (the writing transaction's id) lets a reader
stop before any transaction still in flight, so a consumer's cursor never skips an event that commits late.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from arrears.store.base import Base


class DomainEvent(Base):
    __tablename__ = "domain_events"
    __table_args__ = (
        Index("ix_domain_events_case", "case_id", "seq"),
        Index("ix_domain_events_order", "txid", "seq"),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    id: Mapped[str] = mapped_column(String(32), unique=True)  # stable: consumers use it as idempotency key
    kind: Mapped[str] = mapped_column(String(48))  # arrears.feed.EventKind
    entity: Mapped[str] = mapped_column(
        String(16)
    )  # case | task | hold | promise | payment | outcome | message
    entity_id: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[str | None] = mapped_column(String(32))
    customer_id: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    occurred_at: Mapped[datetime]
    # PostgreSQL: the writing transaction (pg_current_xact_id), filled by the database; SQLite: null.
    txid: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))


class FeedCursor(Base):
    """How far one consumer (write-back to a CRM, outbound webhooks, alerts) has read the feed."""

    __tablename__ = "feed_cursors"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    txid: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), default=0)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), default=0)
    updated_at: Mapped[datetime]
    #: One reader at a time per consumer, across workers: who holds it and until when.
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None]
