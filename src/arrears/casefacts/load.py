"""Everything the pure decisions need about a batch of cases, loaded in a handful of set queries.

The planner and the dispatcher both turn stored rows into these immutable facts, then hand them to the
strategy and the contact gate, which never see the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from arrears.casefacts import compliance as compliance_facts
from arrears.casefacts.model import CaseFacts, ContactPointFact, PromiseFact
from arrears.casefacts.raw import RawReader
from arrears.compliance.model import (
    Address,
    ConsentFact,
    ContactChannel,
    DestinationKind,
    HoldFact,
    OptOutFact,
    PriorContact,
)

#: How far back the gate looks at contact history (the longest rolling cap is 30 days).
HISTORY_WINDOW = timedelta(days=31)

# Enum lookups by value, done a few times per case: a dict hit instead of the enum constructor.
_CHANNELS = {c.value: c for c in ContactChannel}
_DEST_KINDS = {k.value: k for k in DestinationKind}


def _channel(value: str) -> ContactChannel:
    return _CHANNELS.get(value) or ContactChannel(value)  # unknown values still raise ValueError


def load_case_facts(session: Session, case_ids: Sequence[str], now: datetime) -> dict[str, CaseFacts]:
    if not case_ids:
        return {}
    reader = RawReader(session)
    try:
        facts, by_customer = _cases(reader, case_ids)
        customers = list(by_customer)
        _attach_contact_points(reader, customers, by_customer)
        compliance_facts.attach_compliance_facts(session, customers, by_customer)
        _attach_promises(reader, facts)
        _attach_holds(reader, customers, by_customer, facts, now)
        _attach_consents(reader, customers, by_customer)
        _attach_opt_outs(reader, customers, by_customer)
        _attach_history(reader, customers, by_customer, now)
    finally:
        reader.close()
    return facts


_CASES_SQL = (
    "SELECT c.id, c.account_id, c.customer_id, c.status, c.strategy_name, c.strategy_version, c.currency, "
    "c.balance_minor, c.oldest_due_on, c.broken_promises, c.completed_steps, cu.name, cu.kind, cu.segment, "
    "cu.tier, cu.time_zone, cu.locale, cu.country, cu.state, cu.city, cu.postal_code, "
    "a.agency_placement_allowed, c.deferred_step, c.stage, c.ladder_shift_days "
    "FROM cases c JOIN customers cu ON cu.id = c.customer_id JOIN accounts a ON a.id = c.account_id "
    "WHERE c.id {ids}"
)


def _cases(
    reader: RawReader, case_ids: Sequence[str]
) -> tuple[dict[str, CaseFacts], dict[str, list[CaseFacts]]]:
    facts: dict[str, CaseFacts] = {}
    by_customer: dict[str, list[CaseFacts]] = defaultdict(list)
    day, as_json = reader.day, reader.json
    addresses: dict[tuple[Any, ...], Address] = {}  # shared: the gate hashes equal addresses once
    for r in reader.rows(_CASES_SQL, case_ids):
        where = (r[17], r[18], r[19], r[20])
        address = addresses.get(where)
        if address is None:
            address = addresses[where] = Address(country=r[17], state=r[18], city=r[19], postal_code=r[20])
        oldest = day(r[8])
        assert oldest is not None
        fact = CaseFacts(
            case_id=r[0],
            account_id=r[1],
            customer_id=r[2],
            status=r[3],
            strategy_name=r[4],
            strategy_version=r[5],
            currency=r[6],
            balance_minor=r[7],
            oldest_due_on=oldest,
            broken_promises=r[9],
            completed_steps=list(as_json(r[10]) or []),
            customer_name=r[11],
            customer_kind=r[12],
            segment=r[13],
            tier=r[14],
            time_zone=r[15],
            locale=r[16],
            address=address,
            agency_placement_allowed=bool(r[21]),
            deferred_step=r[22],
            stage=r[23],
            ladder_shift_days=int(r[24] or 0),
        )
        facts[fact.case_id] = fact
        by_customer[fact.customer_id].append(fact)
    return facts, by_customer


def _attach_contact_points(reader: RawReader, customers: list[str], by: dict[str, list[CaseFacts]]) -> None:
    sql = (
        "SELECT customer_id, channel, value, kind, is_primary, undeliverable_at FROM contact_points "
        "WHERE customer_id {ids}"
    )
    for customer_id, channel, value, kind, primary, dead_since in reader.rows(sql, customers):
        point = ContactPointFact(channel, value, kind, bool(primary), dead_since is not None)
        for fact in by[customer_id]:
            fact.contact_points.append(point)


def _attach_promises(reader: RawReader, facts: dict[str, CaseFacts]) -> None:
    sql = (
        "SELECT case_id, id, due_on, amount_minor, created_at FROM promises "
        "WHERE case_id {ids} AND status = 'pending' ORDER BY created_at"
    )
    day, instant = reader.day, reader.instant
    for case_id, promise_id, due_on, amount, created in reader.rows(sql, list(facts)):
        facts[case_id].promise = PromiseFact(promise_id, day(due_on), amount, instant(created))  # type: ignore[arg-type]


def _attach_holds(
    reader: RawReader,
    customers: list[str],
    by: dict[str, list[CaseFacts]],
    facts: dict[str, CaseFacts],
    now: datetime,
) -> None:
    sql = (
        "SELECT id, customer_id, case_id, kind, channel, until FROM holds "
        "WHERE customer_id {ids} AND released_at IS NULL AND (until IS NULL OR until > {p})"
    )
    instant = reader.instant
    for hold_id, customer_id, case_id, kind, channel, until in reader.rows(sql, customers, now):
        if case_id is not None and case_id not in facts:
            continue  # a hold on another case of this customer
        targets = [facts[case_id]] if case_id is not None else by[customer_id]
        hold = HoldFact(
            kind=kind, channel=_channel(channel) if channel else None, debt_id=case_id, until=instant(until)
        )
        for fact in targets:
            fact.holds.append(hold)
            fact.hold_ids.append(hold_id)


def _attach_consents(reader: RawReader, customers: list[str], by: dict[str, list[CaseFacts]]) -> None:
    sql = (
        "SELECT customer_id, channel, destination, granted_at, source, revoked_at FROM consents "
        "WHERE customer_id {ids}"
    )
    instant = reader.instant
    for customer_id, channel, destination, granted, source, revoked in reader.rows(sql, customers):
        consent = ConsentFact(_channel(channel), destination, instant(granted), source, instant(revoked))  # type: ignore[arg-type]
        for fact in by[customer_id]:
            fact.consents.append(consent)


def _attach_opt_outs(reader: RawReader, customers: list[str], by: dict[str, list[CaseFacts]]) -> None:
    sql = "SELECT customer_id, channel, destination, at, reason FROM opt_outs WHERE customer_id {ids}"
    instant = reader.instant
    for customer_id, channel, destination, at, reason in reader.rows(sql, customers):
        opt_out = OptOutFact(_channel(channel) if channel else None, destination, instant(at), reason)  # type: ignore[arg-type]
        for fact in by[customer_id]:
            fact.opt_outs.append(opt_out)


#: Interaction states that count as a contact attempt that left (or a conversation that happened).
_COUNTED = "('sent', 'delivered', 'answered', 'voicemail', 'received', 'unknown')"


def _attach_history(
    reader: RawReader, customers: list[str], by: dict[str, list[CaseFacts]], now: datetime
) -> None:
    """Contact attempts that count toward caps: outbound ones that left, and inbound conversations."""
    sql = (
        "SELECT customer_id, case_id, channel, destination, destination_kind, occurred_at, connected, "
        "conversation, direction FROM interactions "
        f"WHERE customer_id {{ids}} AND occurred_at >= {{p}} AND status IN {_COUNTED}"
    )
    instant = reader.instant
    rows = reader.rows(sql, customers, now - HISTORY_WINDOW)
    for customer_id, case_id, channel, dest, dest_kind, at, connected, conversation, direction in rows:
        known = _CHANNELS.get(channel)
        if known is None:
            continue
        prior = PriorContact(
            at=instant(at),  # type: ignore[arg-type]
            channel=known,
            destination=dest or "",
            destination_kind=(_DEST_KINDS.get(dest_kind) or DestinationKind(dest_kind))
            if dest_kind
            else DestinationKind.UNKNOWN,
            debt_id=case_id or "",
            connected=bool(connected),
            conversation=bool(conversation),
            consumer_initiated=direction == "inbound",
        )
        for fact in by[customer_id]:
            fact.history.append(prior)
