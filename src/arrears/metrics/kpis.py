"""The KPIs of a stored portfolio: load the period's facts, then the one pure function computes them.

`arrears report` and the demo both come through here, so they print the same numbers for the same facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from arrears.metrics.compute import Dimension, Kpis, Period, Report, compute_report
from arrears.metrics.definitions import DEFINITIONS
from arrears.metrics.facts import load_facts

__all__ = ["DEFINITIONS", "Kpis", "Report", "build_report", "compute_kpis"]


def build_report(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    by: Iterable[Dimension] = (),
    dso_window_days: int = 90,
) -> Report:
    """The report for [since, until): overall and for each value of each requested dimension."""
    facts = load_facts(session, Period(since, until), dso_window_days=dso_window_days)
    return compute_report(facts, by)


def compute_kpis(session: Session, *, since: datetime, until: datetime, window_days: int = 90) -> Kpis:
    """The whole portfolio's KPIs for [since, until) (what the demo prints)."""
    return build_report(session, since=since, until=until, dso_window_days=window_days).overall
