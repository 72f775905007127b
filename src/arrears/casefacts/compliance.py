"""Do-not-contact entries and customer-designated times and places for a batch of cases: two set queries.

Called by `facts.load_case_facts` after the contact points are attached, so the do-not-contact lookup
asks only for the destinations the batch could use, normalised the way the gate compares them. Both
queries run per batch, never per case, so planning a million cases costs two indexed lookups per batch.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.casefacts.model import CaseFacts
from arrears.casefacts.raw import among
from arrears.compliance.checks import normalise_destination
from arrears.compliance.model import (
    ContactChannel,
    DestinationKind,
    DoNotContactEntry,
    InconvenientPlace,
    InconvenientTime,
)
from arrears.store.models import ContactPreference, DoNotContact


def attach_compliance_facts(session: Session, customers: list[str], by: dict[str, list[CaseFacts]]) -> None:
    """Fill `do_not_contact`, `inconvenient_times` and `inconvenient_places` of every case in the batch."""
    if not customers:
        return
    _attach_do_not_contact(session, by)
    _attach_preferences(session, customers, by)


def _attach_do_not_contact(session: Session, by: dict[str, list[CaseFacts]]) -> None:
    if session.scalar(select(DoNotContact.id).limit(1)) is None:
        return  # no list imported: nothing to look up, and no destinations to gather and send
    owners: dict[str, set[str]] = defaultdict(set)  # normalised destination -> customers holding it
    for customer_id, cases in by.items():
        for point in cases[0].contact_points:
            owners[_normalised(point.value)].add(customer_id)
    if not owners:
        return
    query = select(DoNotContact.destination, DoNotContact.list_name, DoNotContact.channel).where(
        among(session, DoNotContact.destination, list(owners))
    )
    for destination, list_name, channel in session.execute(query):
        entry = DoNotContactEntry(destination, list_name, ContactChannel(channel) if channel else None)
        for customer_id in owners.get(destination, ()):
            for fact in by[customer_id]:
                fact.do_not_contact.append(entry)


def _normalised(value: str) -> str:
    """As the gate compares destinations; stored values are mostly E.164 or lower-case already."""
    if value[1:].isdigit() and value.startswith("+"):
        return value
    return normalise_destination(value)


def _attach_preferences(session: Session, customers: list[str], by: dict[str, list[CaseFacts]]) -> None:
    query = select(
        ContactPreference.customer_id,
        ContactPreference.kind,
        ContactPreference.channel,
        ContactPreference.start,
        ContactPreference.end,
        ContactPreference.weekdays,
        ContactPreference.destination,
        ContactPreference.destination_kind,
        ContactPreference.reason,
    ).where(
        among(session, ContactPreference.customer_id, customers),
        ContactPreference.revoked_at.is_(None),
    )
    for customer_id, kind, channel, start, end, weekdays, dest, dest_kind, reason in session.execute(query):
        targets = by[customer_id]
        if kind == "time" and start and end:
            slot = InconvenientTime(
                time.fromisoformat(start),
                time.fromisoformat(end),
                tuple(weekdays or ()),
                ContactChannel(channel) if channel else None,
            )
            for fact in targets:
                fact.inconvenient_times.append(slot)
        elif kind == "place":
            place = InconvenientPlace(dest, DestinationKind(dest_kind) if dest_kind else None, reason)
            for fact in targets:
                fact.inconvenient_places.append(place)
