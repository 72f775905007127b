"""The one writer of a contact point's deliverability: a hard bounce marks the address dead, for every
customer who gave it. The planner and the conversation effects never choose it again
(`arrears.casefacts.contact.choose_destination`), and what was queued to it and has not left is
cancelled, as for an opt-out of that destination: it would only bounce again. Marking twice keeps the
first time and reason."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from arrears.outbox import cancel_for_customers
from arrears.store.models import ContactPoint

_REASON_LENGTH = 256


def mark_undeliverable(session: Session, channel: str, value: str, reason: str, now: datetime) -> int:
    """Mark every not-yet-marked contact point on `channel` with this value (an e-mail address compared
    without case) undeliverable and cancel its unsent actions; returns how many points changed (0 on a
    replay)."""
    column = func.lower(ContactPoint.value) if channel == "email" else ContactPoint.value
    wanted = value.strip().lower() if channel == "email" else value.strip()
    live = session.execute(
        select(ContactPoint.id, ContactPoint.customer_id, ContactPoint.value).where(
            ContactPoint.channel == channel, column == wanted, ContactPoint.undeliverable_at.is_(None)
        )
    ).all()
    if not live:
        return 0
    session.execute(
        update(ContactPoint)
        .where(ContactPoint.id.in_([row.id for row in live]))
        .values(undeliverable_at=now, undeliverable_reason=reason[:_REASON_LENGTH])
        .execution_options(synchronize_session=False)
    )
    for _, customer_id, stored in live:
        cancel_for_customers(session, [customer_id], channel=channel, destination=stored)
    return len(live)
