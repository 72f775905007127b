"""Load a period's KPI facts from the store: a handful of set-based queries, never one query per case.

Each query groups by case (or by account for the receivables) over the period [since, until), so the cost
grows with the rows in the period, not with round trips; the merge into `CaseFacts` happens in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, Subquery, and_, case, func, or_, select, true
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


@dataclass
class _Draft:
    """A case's facts while the queries fill them in."""

    row: Row[Any]  # the columns of `_cases`
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
            settled=bool(r.settled),
            recovered_minor=dict(sorted(self.recovered.items())),
            before=self.before,
            after=self.after,
        )


def _in_period(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.since, column < period.until)


def _open_in_period(period: Period) -> ColumnElement[bool]:
    return and_(Case.opened_at < period.until, or_(Case.closed_at.is_(None), Case.closed_at >= period.since))


def _cases(session: Session, period: Period) -> dict[str, _Draft]:
    """The period's cases with their dimensions; `first` and `last` rank them within their account."""
    newest = (Case.opened_at.desc(), Case.id.desc())
    oldest_first = func.row_number().over(partition_by=Case.account_id, order_by=(Case.opened_at, Case.id))
    newest_first = func.row_number().over(partition_by=Case.account_id, order_by=newest)
    rows = session.execute(
        select(
            Case.id,
            Case.account_id,
            Case.currency,
            Case.strategy_name,
            Case.strategy_version,
            Customer.segment,
            Customer.source_system,
            Customer.owner,
            and_(Case.close_reason == "settled", Case.closed_at < period.until).label("settled"),
            (oldest_first == 1).label("first"),
            (newest_first == 1).label("last"),
        )
        .join(Customer, Customer.id == Case.customer_id)
        .where(_open_in_period(period))
    ).all()
    return {row.id: _Draft(row) for row in rows}


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
    pictures = _receivables(session, period, window_days)
    for draft in cases.values():
        before, after = pictures.get((draft.row.account_id, draft.row.currency), (NOTHING_OWED, NOTHING_OWED))
        if draft.row.first:
            draft.before = before
        if draft.row.last:
            draft.after = after


def _receivables(
    session: Session, period: Period, window_days: int
) -> dict[tuple[str, str], tuple[Snapshot, Snapshot]]:
    """Per account and currency, the pictures at the period's start and end: overdue balance, days overdue
    of the oldest unpaid overdue invoice, and billing in the DSO window ending there."""
    inv = _unpaid(period).c
    columns: list[Any] = [inv.account_id, inv.currency]
    for at, unpaid in ((period.since, inv.unpaid_start), (period.until, inv.unpaid_end)):
        day = at.date()
        overdue = and_(inv.due_on < day, inv.issued_on <= day)
        in_window = and_(inv.issued_on > day - timedelta(days=window_days), inv.issued_on <= day)
        columns += [
            func.sum(case((overdue, unpaid), else_=0)),
            func.min(case((and_(overdue, unpaid > 0), inv.due_on))),
            func.sum(case((in_window, inv.amount_minor), else_=0)),
        ]
    rows = session.execute(select(*columns).group_by(inv.account_id, inv.currency)).all()
    start, end = period.since.date(), period.until.date()
    return {(row[0], row[1]): (_snapshot(start, *row[2:5]), _snapshot(end, *row[5:8])) for row in rows}


def _snapshot(day: date, owed: int | None, oldest: date | None, billed: int | None) -> Snapshot:
    days = 0 if oldest is None else (day - oldest).days
    return Snapshot(int(owed or 0), days, int(billed or 0))


def _unpaid(period: Period) -> Subquery:
    """The invoices of the period's accounts with what each still owed at the period's start and end.

    Today's balances are taken back to an instant by adding the payments received since, restored newest
    invoice first (allocation pays the oldest first, so the latest payments went to the newest invoices).
    """
    accounts = select(Case.account_id).where(_open_in_period(period))
    received = Payment.amount_minor
    later = (
        select(
            Payment.account_id,
            Payment.currency,
            func.sum(received).label("since_start"),
            func.sum(case((Payment.received_at >= period.until, received), else_=0)).label("since_end"),
        )
        .where(Payment.received_at >= period.since, Payment.account_id.in_(accounts))
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

    def unpaid_after(paid_since: Any) -> Any:
        left = func.coalesce(paid_since, 0) - invoices.c.paid_newer
        restored = case((left <= 0, 0), (left >= invoices.c.paid_part, invoices.c.paid_part), else_=left)
        return invoices.c.balance_minor + restored

    return (
        select(
            invoices.c.account_id,
            invoices.c.currency,
            invoices.c.due_on,
            invoices.c.issued_on,
            invoices.c.amount_minor,
            unpaid_after(later.c.since_start).label("unpaid_start"),
            unpaid_after(later.c.since_end).label("unpaid_end"),
        )
        .outerjoin(
            later, and_(later.c.account_id == invoices.c.account_id, later.c.currency == invoices.c.currency)
        )
        .subquery()
    )
