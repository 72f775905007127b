"""Payment links as they were sent: which case, what amount, until when, and through which provider."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from arrears.store.base import Base


class PaymentLink(Base):
    """One link per idempotency key: a retried send quotes the link the first attempt created.

    `id` is random and is all a link's URL carries (signed), so the URL names no case and no customer.
    """

    __tablename__ = "payment_links"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    provider: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int]
    purpose: Mapped[str] = mapped_column(String(32))  # balance | offer | instalment
    url: Mapped[str] = mapped_column(String(1024))
    provider_ref: Mapped[str | None] = mapped_column(String(256))  # the provider's own id (Stripe plink_...)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime]
    opened_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
