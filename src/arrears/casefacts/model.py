"""The facts of one case as the pure decisions see them: plain data, loaded by `casefacts.load`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from arrears.compliance.model import (
    Address,
    ConsentFact,
    DoNotContactEntry,
    HoldFact,
    InconvenientPlace,
    InconvenientTime,
    OptOutFact,
    PriorContact,
)


@dataclass(frozen=True, slots=True)
class ContactPointFact:
    channel: str  # phone | email | whatsapp | postal
    value: str
    kind: str  # mobile | landline | work | personal | unknown
    is_primary: bool
    undeliverable: bool = False  # a hard bounce said the address is dead: never chosen as a destination


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
    ladder_shift_days: int = 0  # see CaseView.ladder_shift_days
    stage: str = "early"  # early | late | handoff | agency: a change is published as case.stage_changed
