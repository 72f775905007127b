"""Contacts already planned but not yet sent, counted by the planner as if they had gone.

The contact history the gate reads is what left (interactions). An outbox row that waits for the
dispatcher, for a person's review, or is being sent right now has not left yet, so without this the
planner would plan a second text on the same day for a customer whose first one is still queued, and
only the dispatcher's own check would hold it back. Counting unsent rows at planning time keeps the
plan honest: what the planner writes is what may go. The dispatcher does not use this (a row must not
count against itself); it re-reads what was sent instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from arrears.casefacts.model import CaseFacts
from arrears.casefacts.raw import RawReader
from arrears.compliance.model import ContactChannel, DestinationKind, PriorContact

#: Outbox states of a row that has not left and still may.
UNSENT = ("pending", "review", "leased")

_SQL = (
    "SELECT customer_id, case_id, channel, destination, destination_kind FROM outbox_actions "
    "WHERE customer_id {ids} AND status IN ('pending', 'review', 'leased') "
    "AND kind IN ('contact', 'promise_reminder')"
)
_CHANNELS = {c.value: c for c in ContactChannel}
_KINDS = {k.value: k for k in DestinationKind}


def attach_unsent_contacts(
    session: Session, by_customer: Mapping[str, Sequence[CaseFacts]], now: datetime
) -> None:
    """Add every unsent contact of the batch's customers (their cases, by customer id) to their history,
    dated `now`."""
    if not by_customer:
        return
    reader = RawReader(session)
    try:
        rows = reader.rows(_SQL, list(by_customer))
    finally:
        reader.close()
    for customer_id, case_id, channel, destination, destination_kind in rows:
        known = _CHANNELS.get(channel)
        if known is None:
            continue  # a channel the gate does not know (none today)
        prior = PriorContact(
            at=now,
            channel=known,
            destination=destination or "",
            destination_kind=_KINDS.get(destination_kind or "", DestinationKind.UNKNOWN),
            debt_id=case_id,
        )
        for fact in by_customer[customer_id]:
            fact.history.append(prior)
