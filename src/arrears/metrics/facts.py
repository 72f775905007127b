"""Load a period's KPI facts from the store: a handful of set-based queries, never one query per case.

Each query groups by case (or by account for the receivables) over the period [since, until), so the cost
grows with the rows in the period, not with round trips; the merge into `CaseFacts` happens in memory.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, case, func, or_, select, true
from sqlalchemy.orm import Session

from arrears.metrics.compute import (
    UNKNOWN_CHANNEL,
    CaseFacts,
    ChannelActivity,
    Period,
    PortfolioFacts,
    Snapshot,
)
from arrears.store.models import Case, Customer, Hold, Interaction, Invoice, Outcome, Payment, Promise, Task

#: Tasks about the machinery, not the customer: they are not a manual escalation of the case.
OPERATIONAL_TASK_REASONS = ("delivery_unknown",)
#: The interaction status of an outbound message or call that left (the dispatcher's "sent").
SENT = "sent"
NOTHING_OWED = Snapshot()


def load_facts(session: Session, period: Period, *, dso_window_days: int = 90) -> PortfolioFacts:
    """Every case open at some moment of the period, with what it did and owed (see metrics.compute)."""
    cases = _cases(session, period)
    for (case_id, channel), activity in _channels(session, period).items():
        if case_id in cases:
            cases[case_id].channels[channel] = activity
    for case_id, (made, kept, broken) in _promises(session, period).items():
        if case_id in cases:
            cases[case_id].promises = (made, kept, broken)
    for case_id in _disputed(session, period) & cases.keys():
        cases[case_id].disputed = True
    for case_id in _escalated(session, period) & cases.keys():
        cases[case_id].escalated = True
    for (case_id, currency), minor in _recovered(session, period).items():
        cases[case_id].recovered[currency] = minor
    _attach_snapshots(session, period, cases, dso_window_days)
    return PortfolioFacts(period, tuple(c.freeze() for c in cases.values()), dso_window_days)


@dataclass(frozen=True)
class _CaseRow:
    id: str
    account_id: str
    currency: str
    strategy_name: str
    strategy_version: int
    opened_at: datetime
    closed_at: datetime | None
    close_reason: str | None
    segment: str | None
    source_system: str | None
    owner: str | None


@dataclass
class _Draft:
    """A case's facts while the queries fill them in."""

    row: _CaseRow
    settled: bool = False
    channels: dict[str, ChannelActivity] = field(default_factory=dict)
    promises: tuple[int, int, int] = (0, 0, 0)
    disputed: bool = False
    escalated: bool = False
    recovered: dict[str, int] = field(default_factory=dict)
    before: Snapshot = NOTHING_OWED
    after: Snapshot = NOTHING_OWED

    def freeze(self) -> CaseFacts:
        r = self.row
        made, kept, broken = self.promises
        return CaseFacts(
            case_id=r.id,
            currency=r.currency,
            strategy=f"{r.strategy_name}:{r.strategy_version}",
            segment=r.segment,
            source=r.source_system,
            owner=r.owner,
            channels=tuple(self.channels[name] for name in sorted(self.channels)),
            promises_made=made,
            promises_kept=kept,
            promises_broken=broken,
            disputed=self.disputed,
            escalated=self.escalated,
            settled=self.settled,
            recovered_minor=dict(sorted(self.recovered.items())),
            before=self.before,
            after=self.after,
        )


def _in_period(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.since, column < period.until)


def _open_in_period(period: Period) -> ColumnElement[bool]:
    return and_(Case.opened_at < period.until, or_(Case.closed_at.is_(None), Case.closed_at >= period.since))


def _cases(session: Session, period: Period) -> dict[str, _Draft]:
    rows = session.execute(
        select(
            Case.id,
            Case.account_id,
            Case.currency,
            Case.strategy_name,
            Case.strategy_version,
            Case.opened_at,
            Case.closed_at,
            Case.close_reason,
            Customer.segment,
            Customer.source_system,
            Customer.owner,
        )
        .join(Customer, Customer.id == Case.customer_id)
        .where(_open_in_period(period))
    ).all()
    drafts = {}
    for row in rows:
        draft = _Draft(_CaseRow(*row))
        closed = draft.row.closed_at
        draft.settled = draft.row.close_reason == "settled" and closed is not None and closed < period.until
        drafts[draft.row.id] = draft
    return drafts


def _channels(session: Session, period: Period) -> dict[tuple[str, str], ChannelActivity]:
    """Attempts and contacts per case and channel; a right-party outcome counts on its interaction's."""
    sent = and_(Interaction.direction == "outbound", Interaction.status == SENT)
    reached = or_(Interaction.direction == "inbound", Interaction.conversation.is_(true()))
    found: dict[tuple[str, str], ChannelActivity] = {}
    for case_id, channel, attempts, contacted in session.execute(
        select(
            Interaction.case_id,
            Interaction.channel,
            func.sum(case((sent, 1), else_=0)),
            func.max(case((reached, 1), else_=0)),
        )
        .where(Interaction.case_id.is_not(None), _in_period(Interaction.occurred_at, period))
        .group_by(Interaction.case_id, Interaction.channel)
    ):
        found[(case_id, channel)] = ChannelActivity(channel, int(attempts or 0), bool(contacted))
    for case_id, channel in session.execute(
        select(Outcome.case_id, Interaction.channel)
        .outerjoin(Interaction, Interaction.id == Outcome.interaction_id)
        .where(
            Outcome.case_id.is_not(None),
            Outcome.right_party.is_(true()),
            _in_period(Outcome.created_at, period),
        )
        .group_by(Outcome.case_id, Interaction.channel)
    ):
        name = channel or UNKNOWN_CHANNEL
        known = found.get((case_id, name), ChannelActivity(name))
        found[(case_id, name)] = ChannelActivity(name, known.attempts, True, True)
    return found


def _promises(session: Session, period: Period) -> dict[str, tuple[int, int, int]]:
    made = _in_period(Promise.created_at, period)
    resolved = _in_period(Promise.resolved_at, period)
    rows = session.execute(
        select(
            Promise.case_id,
            func.sum(case((made, 1), else_=0)),
            func.sum(case((and_(resolved, Promise.status == "kept"), 1), else_=0)),
            func.sum(case((and_(resolved, Promise.status == "broken"), 1), else_=0)),
        )
        .where(or_(made, resolved))
        .group_by(Promise.case_id)
    ).all()
    return {case_id: (int(m or 0), int(k or 0), int(b or 0)) for case_id, m, k, b in rows}


def _disputed(session: Session, period: Period) -> set[str]:
    query = (
        select(Hold.case_id)
        .where(Hold.case_id.is_not(None), Hold.kind == "dispute", _in_period(Hold.created_at, period))
        .group_by(Hold.case_id)
    )
    return {str(case_id) for case_id in session.scalars(query)}


def _escalated(session: Session, period: Period) -> set[str]:
    query = (
        select(Task.case_id)
        .where(
            Task.case_id.is_not(None),
            Task.reason.not_in(OPERATIONAL_TASK_REASONS),
            _in_period(Task.created_at, period),
        )
        .group_by(Task.case_id)
    )
    return {str(case_id) for case_id in session.scalars(query)}


def _recovered(session: Session, period: Period) -> dict[tuple[str, str], int]:
    """Payments in the period on the case's account, while the case was open."""
    rows = session.execute(
        select(Case.id, Payment.currency, func.sum(Payment.amount_minor))
        .join(Payment, Payment.account_id == Case.account_id)
        .where(
            _open_in_period(period),
            _in_period(Payment.received_at, period),
            Payment.received_at >= Case.opened_at,
            or_(Case.closed_at.is_(None), Payment.received_at <= Case.closed_at),
        )
        .group_by(Case.id, Payment.currency)
    ).all()
    return {(case_id, currency): int(total) for case_id, currency, total in rows}


def _attach_snapshots(session: Session, period: Period, cases: dict[str, _Draft], window_days: int) -> None:
    """An account's picture goes to one case: at the start its first case of the period, at the end its last
    (an account closed and reopened within the period would otherwise count twice)."""
    by_account: dict[str, list[_Draft]] = defaultdict(list)
    for draft in cases.values():
        by_account[draft.row.account_id].append(draft)
    before = _receivables_at(session, period, period.since, window_days)
    after = _receivables_at(session, period, period.until, window_days)
    for account_id, drafts in by_account.items():
        drafts.sort(key=lambda d: (d.row.opened_at, d.row.id))
        first, last = drafts[0], drafts[-1]
        first.before = before.get((account_id, first.row.currency), Snapshot())
        last.after = after.get((account_id, last.row.currency), Snapshot())


def _receivables_at(
    session: Session, period: Period, at: datetime, window_days: int
) -> dict[tuple[str, str], Snapshot]:
    """Per account and currency: overdue balance, days overdue and billing in the window, as at `at`.

    Today's balances are taken back to `at` by adding the payments received since, restored newest invoice
    first (allocation pays the oldest first, so the latest payments went to the newest invoices paid).
    """
    day = at.date()
    inv = _unpaid_at(period, at).c
    overdue = and_(inv.due_on < day, inv.issued_on <= day)
    in_window = and_(inv.issued_on > day - timedelta(days=window_days), inv.issued_on <= day)
    rows = session.execute(
        select(
            inv.account_id,
            inv.currency,
            func.sum(case((overdue, inv.unpaid), else_=0)),
            func.min(case((and_(overdue, inv.unpaid > 0), inv.due_on))),
            func.sum(case((in_window, inv.amount_minor), else_=0)),
        ).group_by(inv.account_id, inv.currency)
    ).all()
    return {
        (account_id, currency): Snapshot(int(owed or 0), _days(day, oldest), int(billed or 0))
        for account_id, currency, owed, oldest, billed in rows
    }


def _days(day: date, oldest: date | None) -> int:
    return 0 if oldest is None else (day - oldest).days


def _unpaid_at(period: Period, at: datetime) -> Subquery:
    """A subquery of the invoices of the period's accounts with what each still owed at `at`."""
    accounts = select(Case.account_id).where(_open_in_period(period))
    later = (
        select(Payment.account_id, Payment.currency, func.sum(Payment.amount_minor).label("paid"))
        .where(Payment.received_at >= at, Payment.account_id.in_(accounts))
        .group_by(Payment.account_id, Payment.currency)
        .subquery()
    )
    paid_part = Invoice.amount_minor - Invoice.balance_minor
    paid_newer = func.sum(paid_part).over(
        partition_by=(Invoice.account_id, Invoice.currency),
        order_by=(Invoice.due_on.desc(), Invoice.issued_on.desc(), Invoice.id.desc()),
        rows=(None, -1),
    )
    invoices = (
        select(
            Invoice.account_id,
            Invoice.currency,
            Invoice.due_on,
            Invoice.issued_on,
            Invoice.amount_minor,
            Invoice.balance_minor,
            paid_part.label("paid_part"),
            func.coalesce(paid_newer, 0).label("paid_newer"),
        )
        .where(Invoice.status != "void", Invoice.account_id.in_(accounts))
        .subquery()
    )
    left = func.coalesce(later.c.paid, 0) - invoices.c.paid_newer
    restored = case(
        (left <= 0, 0),
        (left >= invoices.c.paid_part, invoices.c.paid_part),
        else_=left,
    )
    return (
        select(
            invoices.c.account_id,
            invoices.c.currency,
            invoices.c.due_on,
            invoices.c.issued_on,
            invoices.c.amount_minor,
            (invoices.c.balance_minor + restored).label("unpaid"),
        )
        .outerjoin(
            later, and_(later.c.account_id == invoices.c.account_id, later.c.currency == invoices.c.currency)
        )
        .subquery()
    )
