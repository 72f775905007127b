"""The numbers managers watch, each computed from stored rows, with its definition beside it.

Money is reported per currency (amounts are never converted); rates are plain fractions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from arrears.core.money import format_minor
from arrears.store.models import Case, Hold, Interaction, Invoice, Payment, Promise


@dataclass(frozen=True)
class Receivables:
    """Overdue receivables at one instant: the 'before' or 'after' picture."""

    outstanding_minor: dict[str, int]
    billed_minor: dict[str, int]
    mean_days_overdue: float
    accounts_overdue: int

    def dso(self, window_days: int) -> dict[str, float]:
        """Days sales outstanding per currency: outstanding / billed over the window x window days."""
        return {
            cur: round(self.outstanding_minor.get(cur, 0) / billed * window_days, 1)
            for cur, billed in self.billed_minor.items()
            if billed
        }


def receivables(session: Session, today: date) -> Receivables:
    outstanding = dict(
        session.execute(
            select(Invoice.currency, func.sum(Invoice.balance_minor))
            .where(Invoice.status == "open", Invoice.due_on < today)
            .group_by(Invoice.currency)
        )
        .tuples()
        .all()
    )
    billed = dict(
        session.execute(select(Invoice.currency, func.sum(Invoice.amount_minor)).group_by(Invoice.currency))
        .tuples()
        .all()
    )
    rows = session.execute(
        select(Invoice.account_id, func.min(Invoice.due_on))
        .where(Invoice.status == "open", Invoice.balance_minor > 0, Invoice.due_on < today)
        .group_by(Invoice.account_id)
    ).all()
    accounts = session.scalar(select(func.count(distinct(Invoice.account_id)))) or 0
    total_days = sum((today - oldest).days for _, oldest in rows)
    return Receivables(
        outstanding_minor={k: int(v) for k, v in outstanding.items()},
        billed_minor={k: int(v) for k, v in billed.items()},
        mean_days_overdue=round(total_days / accounts, 2) if accounts else 0.0,
        accounts_overdue=len(rows),
    )


@dataclass
class Kpis:
    cases: int
    attempted: int
    contacted: int
    contact_rate: float
    promise_to_pay_rate: float
    promises_kept: int
    promises_broken: int
    kept_rate: float
    recovered: dict[str, str]
    dispute_escalation_rate: float
    escalations: int
    cases_closed_paid: int
    mean_days_overdue_before: float
    mean_days_overdue_after: float
    days_overdue_improvement: float
    dso_before: dict[str, float]
    dso_after: dict[str, float]
    definitions: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


DEFINITIONS = {
    "contact_rate": "cases where the customer answered (an inbound message or conversation) "
    "/ cases attempted",
    "promise_to_pay_rate": "cases with at least one promise to pay / cases contacted",
    "kept_rate": "promises kept / promises resolved (kept + broken)",
    "recovered": "payments received since the start, per currency",
    "dispute_escalation_rate": "cases put on dispute hold / cases contacted",
    "days_overdue_improvement": "mean days past due of the oldest unpaid invoice per account (paid = 0), "
    "start minus end, against doing nothing (start + elapsed days)",
    "dso": "overdue receivables / amount billed in the portfolio x the billing window (90 days), "
    "per currency",
}


def _rate(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def compute_kpis(
    session: Session,
    *,
    since: datetime,
    before: Receivables,
    today: date,
    elapsed_days: int,
    window_days: int = 90,
) -> Kpis:
    after = receivables(session, today)
    cases = session.scalar(select(func.count()).select_from(Case)) or 0
    attempted = (
        session.scalar(
            select(func.count(distinct(Interaction.case_id))).where(
                Interaction.direction == "outbound", Interaction.status == "sent"
            )
        )
        or 0
    )
    contacted = (
        session.scalar(
            select(func.count(distinct(Interaction.case_id))).where(Interaction.direction == "inbound")
        )
        or 0
    )
    promised = session.scalar(select(func.count(distinct(Promise.case_id)))) or 0
    # Kept and broken count promise rows: a payment plan's instalments count one each, as each is a
    # promise to pay an amount by a date; cancelled and still scheduled instalments count for neither.
    kept = session.scalar(select(func.count()).where(Promise.status == "kept")) or 0
    broken = session.scalar(select(func.count()).where(Promise.status == "broken")) or 0
    disputes = session.scalar(select(func.count(distinct(Hold.case_id))).where(Hold.kind == "dispute")) or 0
    escalations = session.scalar(select(func.count(distinct(Hold.case_id)))) or 0
    paid_cases = session.scalar(select(func.count()).where(Case.close_reason == "settled")) or 0
    recovered = {
        cur: format_minor(int(total), cur)
        for cur, total in session.execute(
            select(Payment.currency, func.sum(Payment.amount_minor))
            .where(Payment.received_at >= since)
            .group_by(Payment.currency)
        )
        .tuples()
        .all()
    }
    # Doing nothing, every overdue account would have aged by the elapsed days.
    do_nothing = before.mean_days_overdue + elapsed_days * before.accounts_overdue / max(
        _accounts(session), 1
    )
    return Kpis(
        cases=cases,
        attempted=attempted,
        contacted=contacted,
        contact_rate=_rate(contacted, attempted),
        promise_to_pay_rate=_rate(promised, contacted),
        promises_kept=kept,
        promises_broken=broken,
        kept_rate=_rate(kept, kept + broken),
        recovered=recovered,
        dispute_escalation_rate=_rate(disputes, contacted),
        escalations=escalations,
        cases_closed_paid=paid_cases,
        mean_days_overdue_before=before.mean_days_overdue,
        mean_days_overdue_after=after.mean_days_overdue,
        days_overdue_improvement=round(do_nothing - after.mean_days_overdue, 2),
        dso_before=before.dso(window_days),
        dso_after=after.dso(window_days),
        definitions=DEFINITIONS,
    )


def _accounts(session: Session) -> int:
    return session.scalar(select(func.count(distinct(Invoice.account_id)))) or 0
