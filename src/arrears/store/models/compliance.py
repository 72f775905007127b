"""What the contact gate needs beyond contact points and consents: do-not-contact lists, customer wishes.

Do-not-contact entries are keyed by the normalised destination (as the gate compares it), not by
customer: a list names numbers and addresses, whoever they belong to today. Customer designations
(an inconvenient time or place) belong to a customer and are revoked, never deleted, so `explain` can
say why a contact was refused on a given day.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from arrears.core.ids import new_id
from arrears.store.base import Base
from arrears.store.types import JSONType


class DoNotContact(Base):
    """One destination on one named list (imported from a file); re-importing a list adds nothing twice."""

    __tablename__ = "do_not_contact"
    __table_args__ = (UniqueConstraint("destination", "list_name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    destination: Mapped[str] = mapped_column(String(320))  # normalised: '+' and digits, or lower-case
    list_name: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(16))  # None: every channel
    added_at: Mapped[datetime]


class ContactPreference(Base):
    """A time or place the customer (or their employer) ruled out; `kind` says which fields apply.

    time: `start`/`end` as HH:MM local (end before start wraps midnight), `weekdays` 0 = Monday (empty:
    every day), `channel` (None: every channel). place: `destination` (normalised) or `destination_kind`.
    """

    __tablename__ = "contact_preferences"
    __table_args__ = (Index("ix_contact_preferences_customer", "customer_id", "revoked_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # time | place
    channel: Mapped[str | None] = mapped_column(String(16))
    start: Mapped[str | None] = mapped_column(String(5))
    end: Mapped[str | None] = mapped_column(String(5))
    weekdays: Mapped[list[int]] = mapped_column(JSONType, default=list)
    destination: Mapped[str | None] = mapped_column(String(320))
    destination_kind: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(32), default="consumer")  # consumer | employer_prohibits
    source: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
