"""What is owed: accounts, invoices and the payments against them (integer minor units + ISO code)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from arrears.core.ids import new_id
from arrears.store.base import Base


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("source_system", "external_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    source_system: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(128))
    agency_placement_allowed: Mapped[bool] = mapped_column(default=False)
    strategy: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("source_system", "external_id"),
        CheckConstraint("amount_minor >= 0", name="amount_non_negative"),
        CheckConstraint("balance_minor >= 0", name="balance_non_negative"),
        Index("ix_invoices_account_open", "account_id", "status", "due_on"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    source_system: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(128))
    number: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int]
    balance_minor: Mapped[int]
    issued_on: Mapped[date]
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | paid | void
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("source_system", "external_id"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[str | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"))
    source_system: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(128))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int]
    method: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime]
