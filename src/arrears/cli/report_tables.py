"""KPI tables for the terminal, shared by `arrears report` and `arrears demo`.

Rates show their numerator and denominator beside the percentage, so nobody reads 100% off two cases.
An undefined rate (nothing to divide by) prints as "-".
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.table import Table

from arrears.core.money import format_minor
from arrears.metrics.compute import RATES, Dimension, Kpis, Report

DASH = "-"


def percent(rate: float | None) -> str:
    return DASH if rate is None else f"{rate:.1%}"


def _share(rate: float | None, numerator: int, denominator: int, of: str) -> str:
    return f"{percent(rate)} ({numerator} of {denominator} {of})"


def _days(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f}"


def _money(amounts: Mapping[str, int]) -> str:
    """One currency a line (amounts are never added across currencies)."""
    return "\n".join(f"{cur} {format_minor(minor, cur)}" for cur, minor in amounts.items()) or DASH


def kpi_table(kpis: Kpis, title: str) -> Table:
    """One set of KPIs, one row each, with what every rate divides by."""
    table = Table(title=title)
    table.add_column("KPI")
    table.add_column("value", justify="right")
    k = kpis
    table.add_row("cases in the period", str(k.cases))
    table.add_row("cases attempted", str(k.attempted))
    table.add_row("contact rate", _share(k.contact_rate, k.contacted, k.attempted, "attempted"))
    table.add_row(
        "right-party contact rate",
        _share(k.right_party_contact_rate, k.right_party, k.attempted, "attempted"),
    )
    table.add_row("promise-to-pay rate", _share(k.promise_to_pay_rate, k.promised, k.contacted, "contacted"))
    table.add_row(
        "kept-promise rate", f"{percent(k.kept_rate)} ({k.promises_kept} kept, {k.promises_broken} broken)"
    )
    table.add_row(
        "dispute escalation rate", _share(k.dispute_escalation_rate, k.disputed, k.contacted, "contacted")
    )
    table.add_row("manual escalation rate", _share(k.manual_escalation_rate, k.escalated, k.cases, "cases"))
    table.add_row("cases settled", str(k.settled))
    for currency, minor in k.recovered.items():
        table.add_row(f"recovered {currency}", format_minor(minor, currency))
    for currency, minor in k.overdue_before.items():
        end = k.overdue_after.get(currency, 0)
        table.add_row(
            f"overdue {currency} start / end",
            f"{format_minor(minor, currency)} / {format_minor(end, currency)}",
        )
    table.add_row(
        "mean days overdue start / end",
        f"{_days(k.mean_days_overdue_before)} / {_days(k.mean_days_overdue_after)}",
    )
    table.add_row("days-overdue improvement vs doing nothing", _days(k.days_overdue_improvement))
    for currency in sorted(k.dso_before.keys() | k.dso_after.keys()):
        dso_start, dso_end = k.dso_before.get(currency), k.dso_after.get(currency)
        table.add_row(f"DSO {currency} start / end", f"{_days(dso_start)} / {_days(dso_end)}")
    return table


def breakdown_tables(dimension: Dimension, rows: Mapping[str, Kpis]) -> tuple[Table, Table]:
    """Two tables per dimension, one row per value: the rates, then money and days (each fits 80 columns).

    Short headers: tried = cases attempted, RPC = right-party contact rate, PTP = promise-to-pay rate.
    The channel rows overlap: a case counts on every channel it was tried on.
    """
    note = " (a case counts on every channel tried: rows overlap)" if dimension is Dimension.CHANNEL else ""
    rates = _table(
        f"by {dimension}{note}",
        (dimension.value, "cases", "tried", "contact", "RPC", "PTP", "kept", "dispute", "manual"),
    )
    money = _table(
        f"by {dimension}: money and days",
        (dimension.value, "recovered", "mean days overdue", "DSO start / end"),
    )
    for value, k in rows.items():
        rates.add_row(
            value,
            str(k.cases),
            str(k.attempted),
            *(percent(getattr(k, name)) for name in RATES),
        )
        dso = (
            f"{cur} {_days(k.dso_before.get(cur))} / {_days(k.dso_after.get(cur))}"
            for cur in sorted(k.dso_before.keys() | k.dso_after.keys())
        )
        money.add_row(
            value,
            _money(k.recovered),
            f"{_days(k.mean_days_overdue_before)} / {_days(k.mean_days_overdue_after)}",
            "\n".join(dso) or DASH,
        )
    return rates, money


def _table(title: str, columns: tuple[str, ...]) -> Table:
    table = Table(title=title)
    for index, name in enumerate(columns):
        # A long segment or owner name folds onto a second line rather than losing its end.
        table.add_column(name, justify="left" if index == 0 else "right", overflow="fold")
    return table


def print_report(report: Report, console: Console) -> None:
    period = report.period
    title = (
        f"Arrears KPIs {period.since:%Y-%m-%d %H:%M} to {period.until:%Y-%m-%d %H:%M} UTC "
        f"(DSO window {report.dso_window_days} days)"
    )
    console.print(kpi_table(report.overall, title))
    for dimension, rows in report.breakdowns.items():
        for table in breakdown_tables(dimension, rows):
            console.print(table)
    if report.breakdowns:
        console.print("tried: cases attempted; RPC: right-party contact rate; PTP: promise-to-pay rate.")
    console.print("Definitions: docs/metrics.md, or --json for them beside the numbers.")
