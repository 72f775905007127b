"""Bring cases in line with invoices: open on overdue balance, track it, close when settled.

Set-based and chunked, so an import of a million invoices and a single payment event share one path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from arrears.cases.closing import close_cases, opened_event
from arrears.cases.status import CaseStatus
from arrears.core.ids import new_id
from arrears.feed import publish_rows
from arrears.store.models import Account, Case, Invoice

CHUNK = 1000

StrategyResolver = Callable[[str | None], tuple[str, int]]


@dataclass
class SyncResult:
    opened: int = 0
    updated: int = 0
    closed: int = 0
    cancelled_actions: int = 0

    def __iadd__(self, other: SyncResult) -> SyncResult:
        self.opened += other.opened
        self.updated += other.updated
        self.closed += other.closed
        self.cancelled_actions += other.cancelled_actions
        return self


@dataclass(frozen=True)
class _Overdue:
    account_id: str
    customer_id: str
    strategy: str | None
    currency: str
    balance_minor: int
    oldest_due_on: date


def sync_cases(
    session: Session,
    *,
    now: datetime,
    resolve_strategy: StrategyResolver,
    account_ids: Iterable[str] | None = None,
) -> SyncResult:
    """Open, update or close the case of each account; `None` means every account that may need it."""
    ids = list(dict.fromkeys(account_ids)) if account_ids is not None else _candidate_accounts(session)
    result = SyncResult()
    for start in range(0, len(ids), CHUNK):
        result += _sync_chunk(session, ids[start : start + CHUNK], now, resolve_strategy)
    return result


def _candidate_accounts(session: Session) -> list[str]:
    with_invoices = select(Invoice.account_id).where(Invoice.status == "open", Invoice.balance_minor > 0)
    with_cases = select(Case.account_id).where(Case.status != "closed")
    return list(session.scalars(with_invoices.union(with_cases)))


def _overdue(session: Session, account_ids: Sequence[str], today: date) -> dict[str, _Overdue]:
    """Per account, the overdue balance in the currency of its oldest overdue invoice."""
    rows = session.execute(
        select(
            Invoice.account_id,
            Account.customer_id,
            Account.strategy,
            Invoice.currency,
            func.sum(Invoice.balance_minor),
            func.min(Invoice.due_on),
        )
        .join(Account, Account.id == Invoice.account_id)
        .where(
            Invoice.account_id.in_(account_ids),
            Invoice.status == "open",
            Invoice.balance_minor > 0,
            Invoice.due_on < today,
        )
        .group_by(Invoice.account_id, Account.customer_id, Account.strategy, Invoice.currency)
    ).all()
    found: dict[str, _Overdue] = {}
    for account_id, customer_id, strategy, currency, balance, oldest in rows:
        candidate = _Overdue(account_id, customer_id, strategy, currency, int(balance), oldest)
        current = found.get(account_id)
        if current is None or candidate.oldest_due_on < current.oldest_due_on:
            found[account_id] = candidate
    return found


def _sync_chunk(
    session: Session, account_ids: Sequence[str], now: datetime, resolve_strategy: StrategyResolver
) -> SyncResult:
    result = SyncResult()
    overdue = _overdue(session, account_ids, now.date())
    open_cases = {
        row.account_id: row
        for row in session.execute(
            select(Case.id, Case.account_id, Case.balance_minor, Case.oldest_due_on, Case.currency).where(
                Case.account_id.in_(account_ids), Case.status != "closed"
            )
        )
    }
    new_rows = []
    for account_id, debt in overdue.items():
        case = open_cases.get(account_id)
        if case is None:
            name, version = resolve_strategy(debt.strategy)
            new_rows.append(
                {
                    "id": new_id(),
                    "account_id": account_id,
                    "customer_id": debt.customer_id,
                    "status": CaseStatus.OPEN.value,
                    "stage": "early",
                    "strategy_name": name,
                    "strategy_version": version,
                    "currency": debt.currency,
                    "balance_minor": debt.balance_minor,
                    "opening_balance_minor": debt.balance_minor,
                    "oldest_due_on": debt.oldest_due_on,
                    "broken_promises": 0,
                    "completed_steps": [],
                    "next_action_at": now,
                    "opened_at": now,
                    "recovered_minor": 0,
                    "updated_at": now,
                }
            )
        elif (case.balance_minor, case.oldest_due_on, case.currency) != (
            debt.balance_minor,
            debt.oldest_due_on,
            debt.currency,
        ):
            session.execute(
                update(Case)
                .where(Case.id == case.id)
                .values(
                    balance_minor=debt.balance_minor,
                    oldest_due_on=debt.oldest_due_on,
                    currency=debt.currency,
                    next_action_at=now,
                    updated_at=now,
                )
            )
            result.updated += 1
    if new_rows:
        session.execute(insert(Case), new_rows)
        publish_rows(session, [opened_event(row, now) for row in new_rows])
        result.opened = len(new_rows)
    settled = [case.id for account_id, case in open_cases.items() if account_id not in overdue]
    if settled:
        result.closed = len(settled)
        result.cancelled_actions = close_cases(session, settled, now=now, reason="settled")
    return result
