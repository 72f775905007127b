"""The write-back ledger: one row per (destination, event) that did not go through on the first try."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from arrears.core.ids import new_id
from arrears.store.base import Base


class WritebackDelivery(Base):
    """An event a destination has not accepted yet: retrying (with `next_attempt_at`), dead (retries spent
    or refused for good, waiting for `arrears writeback replay`), or delivered after a retry or replay."""

    __tablename__ = "writeback_deliveries"
    __table_args__ = (
        UniqueConstraint("destination", "event_id"),
        Index("ix_writeback_deliveries_due", "destination", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    destination: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(32))
    event_kind: Mapped[str] = mapped_column(String(48))
    status: Mapped[str] = mapped_column(String(16))  # retrying | dead | delivered
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(1024))
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
