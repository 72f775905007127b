"""Everything the pure decisions need about a batch of cases, loaded in a handful of set queries.

The planner and the dispatcher both turn stored rows into these immutable facts, then hand them to the
strategy and the contact gate, which never see the database.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, ColumnElement, Select, cast, func, literal, literal_column, or_, select
from sqlalchemy.orm import QueryableAttribute, Session

from arrears.compliance.model import (
    Address,
    ConsentFact,
    ContactChannel,
    DestinationKind,
    DoNotContactEntry,
    HoldFact,
    InconvenientPlace,
    InconvenientTime,
    OptOutFact,
    PriorContact,
)
from arrears.engine import compliance_facts
from arrears.store.models import (
    Account,
    Case,
    Consent,
    ContactPoint,
    Customer,
    Hold,
    Interaction,
    OptOut,
    Promise,
)

#: How far back the gate looks at contact history (the longest rolling cap is 30 days).
HISTORY_WINDOW = timedelta(days=31)

# Enum lookups by value, done a few times per case: a dict hit instead of the enum constructor.
_CHANNELS = {c.value: c for c in ContactChannel}
_DEST_KINDS = {k.value: k for k in DestinationKind}


def _channel(value: str) -> ContactChannel:
    return _CHANNELS.get(value) or ContactChannel(value)  # unknown values still raise ValueError


def among(
    session: Session, column: ColumnElement[str] | QueryableAttribute[str], values: Sequence[str]
) -> ColumnElement[bool]:
    """`column IN values` with the whole set in one bound parameter.

    A batch has thousands of ids; an expanded IN list makes SQLAlchemy render and the driver parse one
    placeholder per id on every execution, which cost more than the queries themselves, and psycopg dumps
    a list parameter element by element in Python. So the ids travel as one JSON text, unpacked by the
    database (json_array_elements_text / json_each); both databases still probe the column's index.
    """
    ids = literal(json.dumps(list(values)))
    unpacked: Select[tuple[Any]]
    if session.get_bind().dialect.name == "postgresql":
        unpacked = select(func.json_array_elements_text(cast(ids, JSON)))
    else:
        unpacked = select(literal_column("value")).select_from(func.json_each(ids))
    return column.in_(unpacked.scalar_subquery())


@dataclass(frozen=True, slots=True)
class ContactPointFact:
    channel: str  # phone | email | whatsapp | postal
    value: str
    kind: str  # mobile | landline | work | personal | unknown
    is_primary: bool


@dataclass(frozen=True, slots=True)
class PromiseFact:
    id: str
    due_on: date
    amount_minor: int
    created_at: datetime


@dataclass(slots=True)
class CaseFacts:
    case_id: str
    account_id: str
    customer_id: str
    status: str
    strategy_name: str
    strategy_version: int
    currency: str
    balance_minor: int
    oldest_due_on: date
    broken_promises: int
    completed_steps: list[str]
    customer_name: str
    customer_kind: str
    segment: str | None
    tier: str | None
    time_zone: str | None
    locale: str
    address: Address
    agency_placement_allowed: bool
    contact_points: list[ContactPointFact] = field(default_factory=list)
    promise: PromiseFact | None = None
    holds: list[HoldFact] = field(default_factory=list)
    hold_ids: list[str] = field(default_factory=list)
    consents: list[ConsentFact] = field(default_factory=list)
    opt_outs: list[OptOutFact] = field(default_factory=list)
    history: list[PriorContact] = field(default_factory=list)
    do_not_contact: list[DoNotContactEntry] = field(default_factory=list)
    inconvenient_times: list[InconvenientTime] = field(default_factory=list)
    inconvenient_places: list[InconvenientPlace] = field(default_factory=list)
    deferred_step: str | None = None  # action key of the step last deferred (its deferral is on record)


def load_case_facts(session: Session, case_ids: Sequence[str], now: datetime) -> dict[str, CaseFacts]:
    if not case_ids:
        return {}
    rows = session.execute(
        select(
            Case.id,
            Case.account_id,
            Case.customer_id,
            Case.status,
            Case.strategy_name,
            Case.strategy_version,
            Case.currency,
            Case.balance_minor,
            Case.oldest_due_on,
            Case.broken_promises,
            Case.completed_steps,
            Customer.name,
            Customer.kind,
            Customer.segment,
            Customer.tier,
            Customer.time_zone,
            Customer.locale,
            Customer.country,
            Customer.state,
            Customer.city,
            Customer.postal_code,
            Account.agency_placement_allowed,
            Case.deferred_step,
        )
        .join(Customer, Customer.id == Case.customer_id)
        .join(Account, Account.id == Case.account_id)
        .where(among(session, Case.id, case_ids))
    ).all()
    facts: dict[str, CaseFacts] = {}
    by_customer: dict[str, list[CaseFacts]] = defaultdict(list)
    for r in rows:
        fact = CaseFacts(
            case_id=r[0],
            account_id=r[1],
            customer_id=r[2],
            status=r[3],
            strategy_name=r[4],
            strategy_version=r[5],
            currency=r[6],
            balance_minor=r[7],
            oldest_due_on=r[8],
            broken_promises=r[9],
            completed_steps=list(r[10] or []),
            customer_name=r[11],
            customer_kind=r[12],
            segment=r[13],
            tier=r[14],
            time_zone=r[15],
            locale=r[16],
            address=Address(country=r[17], state=r[18], city=r[19], postal_code=r[20]),
            agency_placement_allowed=bool(r[21]),
            deferred_step=r[22],
        )
        facts[fact.case_id] = fact
        by_customer[fact.customer_id].append(fact)
    customers = list(by_customer)
    _attach_contact_points(session, customers, by_customer)
    compliance_facts.attach_compliance_facts(session, customers, by_customer)
    _attach_promises(session, facts)
    _attach_holds(session, customers, by_customer, facts, now)
    _attach_consents(session, customers, by_customer)
    _attach_opt_outs(session, customers, by_customer)
    _attach_history(session, customers, by_customer, facts, now)
    return facts


def _attach_contact_points(session: Session, customers: list[str], by: dict[str, list[CaseFacts]]) -> None:
    query = select(
        ContactPoint.customer_id,
        ContactPoint.channel,
        ContactPoint.value,
        ContactPoint.kind,
        ContactPoint.is_primary,
    ).where(among(session, ContactPoint.customer_id, customers))
    for customer_id, channel, value, kind, primary in session.execute(query):
        point = ContactPointFact(channel, value, kind, bool(primary))
        for fact in by[customer_id]:
            fact.contact_points.append(point)


def _attach_promises(session: Session, facts: dict[str, CaseFacts]) -> None:
    query = (
        select(Promise.case_id, Promise.id, Promise.due_on, Promise.amount_minor, Promise.created_at)
        .where(among(session, Promise.case_id, list(facts)), Promise.status == "pending")
        .order_by(Promise.created_at)
    )
    for case_id, promise_id, due_on, amount, created in session.execute(query):
        facts[case_id].promise = PromiseFact(promise_id, due_on, amount, created)


def _attach_holds(
    session: Session,
    customers: list[str],
    by: dict[str, list[CaseFacts]],
    facts: dict[str, CaseFacts],
    now: datetime,
) -> None:
    query = select(Hold.id, Hold.customer_id, Hold.case_id, Hold.kind, Hold.channel, Hold.until).where(
        among(session, Hold.customer_id, customers),
        Hold.released_at.is_(None),
        or_(Hold.until.is_(None), Hold.until > now),
    )
    for hold_id, customer_id, case_id, kind, channel, until in session.execute(query):
        if case_id is not None and case_id not in facts:
            continue  # a hold on another case of this customer
        targets = [facts[case_id]] if case_id is not None else by[customer_id]
        hold = HoldFact(
            kind=kind, channel=_channel(channel) if channel else None, debt_id=case_id, until=until
        )
        for fact in targets:
            fact.holds.append(hold)
            fact.hold_ids.append(hold_id)


def _attach_consents(session: Session, customers: list[str], by: dict[str, list[CaseFacts]]) -> None:
    query = select(
        Consent.customer_id,
        Consent.channel,
        Consent.destination,
        Consent.granted_at,
        Consent.source,
        Consent.revoked_at,
    ).where(among(session, Consent.customer_id, customers))
    for customer_id, channel, destination, granted, source, revoked in session.execute(query):
        consent = ConsentFact(_channel(channel), destination, granted, source, revoked)
        for fact in by[customer_id]:
            fact.consents.append(consent)


def _attach_opt_outs(session: Session, customers: list[str], by: dict[str, list[CaseFacts]]) -> None:
    query = select(OptOut.customer_id, OptOut.channel, OptOut.destination, OptOut.at, OptOut.reason).where(
        among(session, OptOut.customer_id, customers)
    )
    for customer_id, channel, destination, at, reason in session.execute(query):
        opt_out = OptOutFact(_channel(channel) if channel else None, destination, at, reason)
        for fact in by[customer_id]:
            fact.opt_outs.append(opt_out)


def _attach_history(
    session: Session,
    customers: list[str],
    by: dict[str, list[CaseFacts]],
    facts: dict[str, CaseFacts],
    now: datetime,
) -> None:
    """Contact attempts that count toward caps: outbound ones that left, and inbound conversations."""
    query = select(
        Interaction.customer_id,
        Interaction.case_id,
        Interaction.channel,
        Interaction.destination,
        Interaction.destination_kind,
        Interaction.occurred_at,
        Interaction.connected,
        Interaction.conversation,
        Interaction.direction,
    ).where(
        among(session, Interaction.customer_id, customers),
        Interaction.occurred_at >= now - HISTORY_WINDOW,
        Interaction.status.in_(("sent", "delivered", "answered", "voicemail", "received", "unknown")),
    )
    for (
        customer_id,
        case_id,
        channel,
        dest,
        dest_kind,
        at,
        connected,
        conversation,
        direction,
    ) in session.execute(query):
        if channel not in _CHANNELS:
            continue
        prior = PriorContact(
            at=at,
            channel=_CHANNELS[channel],
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
