"""The recovery sheet: one row per case with what was due, recovered and promised, typed for a spreadsheet.

Rows come from one streamed query (cases, their customer and account, promise counts and the latest
promise and outcome through grouped and ranked subqueries), so an export of any size reads the database
once and holds one chunk in memory. Amounts are exact decimals in major units at the currency's ISO 4217
exponent, with the currency code beside them; dates are calendar days in the customer's own zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from arrears.core.money import currency_exponent
from arrears.store.models import Account, Case, Customer, Outcome, Promise

STREAM = 1000

#: Column names in sheet order; `AMOUNTS` and `DATES` are typed as such in XLSX.
COLUMNS = (
    "case_id", "customer", "customer_ref", "account_ref", "currency", "amount_due_at_opening",
    "amount_recovered", "balance_now", "promises_made", "promises_kept", "promises_broken",
    "latest_promise_date", "latest_promise_amount", "last_outcome", "last_outcome_date", "owner",
    "days_overdue", "status", "opened_on", "closed_on",
)  # fmt: skip
AMOUNTS = frozenset({"amount_due_at_opening", "amount_recovered", "balance_now", "latest_promise_amount"})
DATES = frozenset({"latest_promise_date", "last_outcome_date", "opened_on", "closed_on"})
COUNTS = frozenset({"promises_made", "promises_kept", "promises_broken", "days_overdue"})


@dataclass(frozen=True, slots=True)
class RecoveryRow:
    values: dict[str, Any]  # by column: str, int, Decimal, date or None
    exponent: int  # the currency's minor-unit digits: how many decimals its amounts show


def major(minor: int | None, currency: str) -> Decimal | None:
    """Minor units as an exact decimal in major units (1234 USD -> 12.34, 1234 JPY -> 1234)."""
    if minor is None:
        return None
    exponent = currency_exponent(currency)
    return Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


@lru_cache(maxsize=512)
def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")  # an unknown zone: the UTC calendar rather than no date


def local_day(value: datetime | None, zone_name: str | None) -> date | None:
    """The calendar day of an instant in the customer's zone (UTC when the zone is unknown)."""
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(_zone(zone_name)).date()


def _promise_counts() -> Any:
    made = func.sum(case((Promise.status != "scheduled", 1), else_=0))
    kept = func.sum(case((Promise.status == "kept", 1), else_=0))
    broken = func.sum(case((Promise.status == "broken", 1), else_=0))
    return (
        select(Promise.case_id, made.label("made"), kept.label("kept"), broken.label("broken"))
        .group_by(Promise.case_id)
        .subquery()
    )


def _latest(table: Any, *columns: Any) -> Any:
    rank = func.row_number().over(
        partition_by=table.case_id, order_by=(table.created_at.desc(), table.id.desc())
    )
    ranked = select(table.case_id, *columns, rank.label("rank")).subquery()
    return select(ranked).where(ranked.c.rank == 1).subquery()


def _query() -> Select[Any]:
    counts = _promise_counts()
    promise = _latest(Promise, Promise.due_on, Promise.amount_minor)
    outcome = _latest(Outcome, Outcome.routing, Outcome.created_at)
    return (
        select(
            Case,
            Customer.name,
            Customer.external_id,
            Customer.time_zone,
            Customer.owner,
            Account.external_id,
            counts.c.made,
            counts.c.kept,
            counts.c.broken,
            promise.c.due_on,
            promise.c.amount_minor,
            outcome.c.routing,
            outcome.c.created_at,
        )
        .join(Customer, Customer.id == Case.customer_id)
        .join(Account, Account.id == Case.account_id)
        .outerjoin(counts, counts.c.case_id == Case.id)
        .outerjoin(promise, promise.c.case_id == Case.id)
        .outerjoin(outcome, outcome.c.case_id == Case.id)
        .order_by(Case.opened_at, Case.id)
    )


def count_cases(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Case)) or 0)


def recovery_rows(session: Session, now: datetime) -> Iterator[RecoveryRow]:
    """Every case, oldest first, streamed; days overdue are counted to today (or the closing day)."""
    for row in session.execute(_query().execution_options(yield_per=STREAM)):
        yield shape(*row, now=now)


def shape(
    c: Case,
    name: str,
    customer_ref: str,
    zone: str | None,
    owner: str | None,
    account_ref: str,
    made: int | None,
    kept: int | None,
    broken: int | None,
    promise_on: date | None,
    promise_minor: int | None,
    routing: str | None,
    outcome_at: datetime | None,
    *,
    now: datetime,
) -> RecoveryRow:
    currency = c.currency  # an unknown code fails here with MoneyError naming it
    closed = local_day(c.closed_at, zone)
    until = closed or local_day(now, zone)
    assert until is not None
    values: dict[str, Any] = {
        "case_id": c.id,
        "customer": name,
        "customer_ref": customer_ref,
        "account_ref": account_ref,
        "currency": c.currency,
        "amount_due_at_opening": major(c.opening_balance_minor, currency),
        "amount_recovered": major(c.recovered_minor, currency),
        "balance_now": major(c.balance_minor, currency),
        "promises_made": int(made or 0),
        "promises_kept": int(kept or 0),
        "promises_broken": int(broken or 0),
        "latest_promise_date": promise_on,
        "latest_promise_amount": major(promise_minor, currency),
        "last_outcome": routing,
        "last_outcome_date": local_day(outcome_at, zone),
        "owner": owner,
        "days_overdue": max((until - c.oldest_due_on).days, 0),
        "status": c.status,
        "opened_on": local_day(c.opened_at, zone),
        "closed_on": closed,
    }
    return RecoveryRow(values, currency_exponent(currency))
