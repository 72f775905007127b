"""Recording that someone must not be contacted, and stopping what was queued for them, as one step.

An opt-out binds every case of the customer: the dispatcher re-reads opt-outs before each send, but a
row queued before the opt-out would still sit in the outbox, counted as planned contact and shown as
pending. So the rows it forbids are cancelled in the same transaction as the opt-out is recorded. One
source event records its opt-out once per customer, channel and destination, however often it is applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from arrears.core.ids import new_id
from arrears.outbox import cancel_for_customers
from arrears.store.models import OptOut


def record_opt_out(
    session: Session,
    customer_ids: Sequence[str],
    *,
    channel: str | None,
    destination: str | None,
    reason: str,
    source: str,
    now: datetime,
) -> None:
    """Refuse `channel` (every channel when None), or only `destination` when given, for these customers."""
    known = set(
        session.scalars(
            select(OptOut.customer_id).where(
                OptOut.customer_id.in_(list(customer_ids)),
                OptOut.source == source,
                OptOut.channel.is_(None) if channel is None else OptOut.channel == channel,
                OptOut.destination.is_(None) if destination is None else OptOut.destination == destination,
            )
        )
    )
    customer_ids = [customer_id for customer_id in customer_ids if customer_id not in known]
    if not customer_ids:
        return
    session.execute(
        insert(OptOut),
        [
            {
                "id": new_id(),
                "customer_id": customer_id,
                "channel": channel,
                "destination": destination,
                "reason": reason,
                "source": source,
                "at": now,
            }
            for customer_id in customer_ids
        ],
    )
    cancel_for_customers(session, customer_ids, channel=channel, destination=destination)
