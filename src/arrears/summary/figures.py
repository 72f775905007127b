"""The day's figures for the manager summary: a pure function of recorded facts, for one local day.

The outreach and recovery figures are the metrics package's own (`metrics.compute_report` over the facts of
the day's period), so the summary and `arrears report` never disagree; tasks are counted here from the
task facts the loader read: opened that day, open at the day's end, overdue at the day's end, and the few
cases a person should look at first (highest priority, then longest overdue).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from arrears.metrics.compute import PortfolioFacts, compute_report

#: Task states a person still has to act on.
OPEN_TASKS = frozenset({"open", "claimed"})
TOP_CASES = 5


@dataclass(frozen=True, slots=True)
class TaskFact:
    case_id: str | None
    reason: str
    priority: int  # 1 highest
    status: str
    due_at: datetime
    created_at: datetime
    closed_at: datetime | None
    customer: str | None = None
    balance_minor: int | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class TopCase:
    case_id: str
    customer: str
    reason: str
    priority: int
    due_at: datetime
    overdue: bool
    balance_minor: int | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class DaySummary:
    day: date  # the local day summarised
    time_zone: str
    contacts_made: int  # cases with an outbound message or call that left
    customers_reached: int  # cases where the customer answered, wrote or talked
    promises_made: int
    promises_kept: int
    promises_broken: int
    recovered: dict[str, int]  # currency -> minor units
    settled: int
    disputes: int  # cases with a dispute hold placed that day
    hardship: int  # cases with a hardship hold placed that day
    escalated: int  # cases with a task for a person opened that day
    tasks_opened: int
    tasks_open: int
    tasks_overdue: int
    top: tuple[TopCase, ...]


def summarize(
    facts: PortfolioFacts,
    tasks: Sequence[TaskFact],
    day: date,
    zone: str,
    *,
    hardship: int = 0,
    top_n: int = TOP_CASES,
) -> DaySummary:
    """The figures of `day` (local, in `zone`); `facts.period` is that day's [start, end) in UTC;
    `hardship`: cases with a hardship hold placed that day (the metrics count disputes only)."""
    kpis = compute_report(facts).overall
    start, end = facts.period.since, facts.period.until
    open_at_end = [t for t in tasks if t.created_at < end and (t.closed_at is None or t.closed_at >= end)]
    still_open = [t for t in open_at_end if t.status in OPEN_TASKS or t.closed_at is not None]
    overdue = [t for t in still_open if t.due_at < end]
    return DaySummary(
        day=day,
        time_zone=zone,
        contacts_made=kpis.attempted,
        customers_reached=kpis.contacted,
        promises_made=sum(c.promises_made for c in facts.cases),
        promises_kept=kpis.promises_kept,
        promises_broken=kpis.promises_broken,
        recovered=dict(sorted(kpis.recovered.items())),
        settled=kpis.settled,
        disputes=kpis.disputed,
        hardship=hardship,
        escalated=kpis.escalated,
        tasks_opened=sum(1 for t in tasks if start <= t.created_at < end),
        tasks_open=len(still_open),
        tasks_overdue=len(overdue),
        top=_top(still_open, end, top_n),
    )


def _top(still_open: Sequence[TaskFact], end: datetime, top_n: int) -> tuple[TopCase, ...]:
    """The cases a person should open first: by their most urgent task's priority, then its due time."""
    ranked = sorted(still_open, key=lambda t: (t.priority, t.due_at, t.case_id or ""))
    seen: set[str] = set()
    top: list[TopCase] = []
    for task in ranked:
        if task.case_id is None or task.case_id in seen:
            continue
        seen.add(task.case_id)
        top.append(
            TopCase(
                task.case_id,
                task.customer or "",
                task.reason,
                task.priority,
                task.due_at,
                task.due_at < end,
                task.balance_minor,
                task.currency,
            )
        )
        if len(top) == top_n:
            break
    return tuple(top)
