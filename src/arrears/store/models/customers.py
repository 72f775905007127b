"""Who owes: customers, how to reach them, and what they agreed to or refused."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from arrears.core.ids import new_id
from arrears.store.base import Base


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("source_system", "external_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    source_system: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), default="person")  # person | business
    name: Mapped[str] = mapped_column(String(256))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16), default="en-US")
    segment: Mapped[str | None] = mapped_column(String(64))
    tier: Mapped[str | None] = mapped_column(String(64))
    owner: Mapped[str | None] = mapped_column(String(128))
    country: Mapped[str | None] = mapped_column(String(2))
    state: Mapped[str | None] = mapped_column(String(8))
    city: Mapped[str | None] = mapped_column(String(128))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    #: Street lines of the postal address (letters print them above city, state and postal code).
    address_line1: Mapped[str | None] = mapped_column(String(256))
    address_line2: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    contact_points: Mapped[list[ContactPoint]] = relationship(back_populates="customer", lazy="raise")


class ContactPoint(Base):
    __tablename__ = "contact_points"
    __table_args__ = (UniqueConstraint("customer_id", "channel", "value"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))  # phone | email | whatsapp | postal
    value: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(16), default="unknown")  # mobile | landline | work | personal
    is_primary: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    #: Set when the provider reported the address dead (a hard bounce): no step is planned to it again.
    undeliverable_at: Mapped[datetime | None]
    undeliverable_reason: Mapped[str | None] = mapped_column(String(256))

    customer: Mapped[Customer] = relationship(back_populates="contact_points", lazy="raise")


class Consent(Base):
    """Consent to be contacted on one channel at one destination, with where it came from."""

    __tablename__ = "consents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # email | sms | whatsapp | voice
    destination: Mapped[str] = mapped_column(String(320))
    source: Mapped[str] = mapped_column(String(128))
    granted_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_source: Mapped[str | None] = mapped_column(String(128))


class OptOut(Base):
    """A refusal of a channel (or of everything when channel is null); effective from `at`."""

    __tablename__ = "opt_outs"
    __table_args__ = (Index("ix_opt_outs_customer_at", "customer_id", "at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[str | None] = mapped_column(String(16))
    destination: Mapped[str | None] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(String(64))  # opt_out | cease | revocation | dnc_list
    source: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime]
