"""`arrears report`: the KPIs of any Arrears database for a period, overall and broken down.

Read-only: the database must exist at the current schema (cli.db_access); nothing is written.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console

from arrears.cli.options import instant
from arrears.core.clock import SystemClock
from arrears.metrics.compute import Dimension
from arrears.settings import get_settings

DEFAULT_DAYS = 30


def report_command(
    database: Annotated[str | None, typer.Option(help="database URL (default ARREARS_DATABASE_URL)")] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help=f"from this instant, inclusive (ISO 8601, UTC if no offset; default: {DEFAULT_DAYS} days "
            "before --until)"
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="before this instant (ISO 8601, UTC if no offset; default: now)")
    ] = None,
    by: Annotated[
        list[Dimension] | None, typer.Option("--by", help="break down by this dimension (repeatable)")
    ] = None,
    dso_window: Annotated[int, typer.Option(min=1, max=3660, help="days of invoicing DSO divides by")] = 90,
    as_json: Annotated[
        bool, typer.Option("--json", help="print one JSON object, definitions included")
    ] = False,
) -> None:
    """Contact, right-party, promise, kept, dispute and manual escalation rates, recovery, days overdue and
    DSO for the period [since, until), from the stored facts."""
    from arrears.cli.db_access import existing_session
    from arrears.cli.report_tables import print_report
    from arrears.metrics.kpis import build_report

    end = instant(until, "--until") or SystemClock().now()
    start = instant(since, "--since") or end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        raise typer.BadParameter(
            f"{start.isoformat()} is not before --until {end.isoformat()}", param_hint="--since"
        )
    with existing_session(database or get_settings().database_url) as session:
        report = build_report(session, since=start, until=end, by=by or (), dso_window_days=dso_window)
    if as_json:
        typer.echo(json.dumps(report.to_json()))
        return
    print_report(report, Console())


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
