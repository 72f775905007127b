"""What the summary needs from the store for one local day: the metrics' facts and the tasks around it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import Session

from arrears.metrics.compute import Period
from arrears.metrics.facts import load_facts
from arrears.store.models import Case, Customer, Hold, Task
from arrears.summary.figures import DaySummary, TaskFact, summarize


def day_period(day: date, zone: str) -> Period:
    """The local day [00:00, next 00:00) in `zone`, as UTC instants (23 or 25 hours across a DST change)."""
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
    return Period(start, end)


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def _tasks(session: Session, period: Period) -> list[TaskFact]:
    """Tasks opened before the day's end and not closed before its start: all the day can count."""
    query = (
        select(Task, Customer.name, Case.balance_minor, Case.currency)
        .outerjoin(Case, Case.id == Task.case_id)
        .outerjoin(Customer, Customer.id == Case.customer_id)
        .where(Task.created_at < period.until)
        .where(or_(Task.closed_at.is_(None), Task.closed_at >= period.since))
    )
    found: list[TaskFact] = []
    for task, name, balance, currency in session.execute(query):
        due, created = _aware(task.due_at), _aware(task.created_at)
        assert due is not None and created is not None
        found.append(
            TaskFact(
                task.case_id,
                task.reason,
                task.priority,
                task.status,
                due,
                created,
                _aware(task.closed_at),
                name,
                balance,
                currency,
            )
        )
    return found


def _hardship(session: Session, period: Period) -> int:
    placed = and_(Hold.kind == "hardship", Hold.case_id.is_not(None))
    during = and_(Hold.created_at >= period.since, Hold.created_at < period.until)
    return int(session.scalar(select(func.count(distinct(Hold.case_id))).where(placed, during)) or 0)


def load_summary(session: Session, day: date, zone: str) -> DaySummary:
    """The summary of local `day` in `zone`, read in one transaction."""
    period = day_period(day, zone)
    facts, tasks = load_facts(session, period), _tasks(session, period)
    return summarize(facts, tasks, day, zone, hardship=_hardship(session, period))
