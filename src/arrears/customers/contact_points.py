"""The one writer of a contact point's deliverability: a hard bounce marks the address dead, for every
customer who gave it, and the planner and the conversation effects never choose it again
(`arrears.casefacts.contact.choose_destination`). Marking twice keeps the first time and reason."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.orm import Session

from arrears.store.models import ContactPoint

_REASON_LENGTH = 256


def mark_undeliverable(session: Session, channel: str, value: str, reason: str, now: datetime) -> int:
    """Mark every not-yet-marked contact point on `channel` with this value (e-mail compared without
    case) undeliverable; returns how many changed (0 on a replay)."""
    column = func.lower(ContactPoint.value) if channel == "email" else ContactPoint.value
    wanted = value.strip().lower() if channel == "email" else value.strip()
    result = session.execute(
        update(ContactPoint)
        .where(ContactPoint.channel == channel, column == wanted, ContactPoint.undeliverable_at.is_(None))
        .values(undeliverable_at=now, undeliverable_reason=reason[:_REASON_LENGTH])
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
