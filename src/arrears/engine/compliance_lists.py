"""Writing what the gate reads besides contact points: do-not-contact lists and customer designations.

Imports are idempotent (a list re-imported adds nothing twice) and set-based (one statement per
thousand entries). A designation is checked before it is stored, because a malformed time stored
today would otherwise fail every planning batch of that customer tomorrow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from arrears.compliance.checks import normalise_destination
from arrears.compliance.dnc import parse_dnc
from arrears.compliance.model import ContactChannel, DestinationKind
from arrears.core.ids import new_id
from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.models import ContactPreference, Customer, DoNotContact

_CHUNK = 1000
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class DesignationError(ValueError):
    """A designation that cannot be stored as given (bad time, unknown channel or kind, no customer)."""


@dataclass(frozen=True)
class ImportResult:
    read: int  # distinct normalised destinations in the file
    added: int  # new on this list
    on_list: int  # the list's size afterwards


def import_do_not_contact(
    session: Session, text: str, list_name: str, now: datetime, channel: str | None = None
) -> ImportResult:
    """Add every destination of a list file to the named list (duplicates and re-imports are no-ops)."""
    chan = ContactChannel(channel).value if channel else None
    entries = sorted(parse_dnc(text))
    before = _count(session, list_name)
    table = DoNotContact.__table__
    for start in range(0, len(entries), _CHUNK):
        rows = [
            {"id": new_id(), "destination": d, "list_name": list_name, "channel": chan, "added_at": now}
            for d in entries[start : start + _CHUNK]
        ]
        insert_ignoring_duplicates(session, table, rows, ["destination", "list_name"])
    after = _count(session, list_name)
    return ImportResult(read=len(entries), added=after - before, on_list=after)


def _count(session: Session, list_name: str) -> int:
    query = select(func.count()).select_from(DoNotContact).where(DoNotContact.list_name == list_name)
    return int(session.scalar(query) or 0)


def find_customer(session: Session, ref: str) -> str:
    """A customer by internal id or by external id (any source); exactly one must match."""
    found = list(
        session.scalars(select(Customer.id).where((Customer.id == ref) | (Customer.external_id == ref)))
    )
    if len(set(found)) != 1:
        problem = "no customer" if not found else "several customers"
        raise DesignationError(f"{problem} with id or external id {ref!r}")
    return found[0]


def designate_time(
    session: Session,
    customer_id: str,
    start: str,
    end: str,
    now: datetime,
    *,
    weekdays: tuple[int, ...] = (),
    channel: str | None = None,
    source: str = "operator",
) -> str:
    """Record a time the customer called inconvenient (local HH:MM; end before start wraps midnight)."""
    for value in (start, end):
        if not _HHMM.match(value):
            raise DesignationError(f"expected HH:MM between 00:00 and 23:59, got {value!r}")
    if start == end:
        raise DesignationError("start and end are the same: say which hours are inconvenient")
    if any(not 0 <= d <= 6 for d in weekdays):
        raise DesignationError("weekdays are 0 (Monday) .. 6 (Sunday)")
    return _store(
        session,
        customer_id,
        now,
        source,
        kind="time",
        start=start,
        end=end,
        weekdays=sorted(set(weekdays)),
        channel=_channel(channel),
    )


def designate_place(
    session: Session,
    customer_id: str,
    now: datetime,
    *,
    destination: str | None = None,
    destination_kind: str | None = None,
    reason: str = "consumer",
    source: str = "operator",
) -> str:
    """Record a place (one destination, or a kind such as work_phone) that must not be used."""
    if (destination is None) == (destination_kind is None):
        raise DesignationError("give exactly one of a destination or a destination kind")
    if destination_kind is not None and destination_kind not in {k.value for k in DestinationKind}:
        raise DesignationError(f"unknown destination kind {destination_kind!r}")
    if reason not in ("consumer", "employer_prohibits"):
        raise DesignationError("reason is consumer or employer_prohibits")
    return _store(
        session,
        customer_id,
        now,
        source,
        kind="place",
        destination=normalise_destination(destination) if destination else None,
        destination_kind=destination_kind,
        reason=reason,
    )


def revoke_designation(session: Session, designation_id: str, now: datetime) -> bool:
    """Lift a designation from now on; the row stays, so past decisions remain explainable."""
    result = session.execute(
        update(ContactPreference)
        .where(ContactPreference.id == designation_id, ContactPreference.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


def _channel(channel: str | None) -> str | None:
    if channel is None:
        return None
    try:
        return ContactChannel(channel).value
    except ValueError as exc:
        raise DesignationError(f"unknown channel {channel!r}") from exc


def _store(session: Session, customer_id: str, now: datetime, source: str, **fields: object) -> str:
    row = ContactPreference(id=new_id(), customer_id=customer_id, source=source, created_at=now, **fields)
    session.add(row)
    session.flush()
    return row.id
