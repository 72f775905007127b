"""`arrears export recovery --format csv|xlsx --out FILE` (the recovery sheet, with a progress bar) and
`arrears summary show|send [--day]` (the daily manager summary)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from arrears.settings import get_settings

if TYPE_CHECKING:
    from arrears.system import System


def export_recovery(fmt: str, output: Path | None, database: str | None) -> None:
    """Write the recovery sheet to `output`; a bar on standard error shows the rows written."""
    from arrears.cli.db_access import existing_engine
    from arrears.export import export_recovery as write_recovery
    from arrears.system.parts import process_clock

    if fmt not in ("csv", "xlsx"):
        typer.echo("error: --format: the recovery sheet is written as csv or xlsx", err=True)
        raise typer.Exit(2)
    if output is None:
        typer.echo(
            "error: --out: the recovery sheet needs a file to write (e.g. --out recovery.xlsx)", err=True
        )
        raise typer.Exit(2)
    settings = get_settings()
    console = Console(stderr=True)
    with (
        existing_engine(database or settings.database_url) as engine,
        Progress(
            TextColumn("recovery sheet"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task("rows", total=None)
        count = write_recovery(
            engine,
            "xlsx" if fmt == "xlsx" else "csv",
            output,
            now=process_clock(settings).now(),
            progress=lambda done: bar.update(task, completed=done),
            total=lambda n: bar.update(task, total=n),
        )
    typer.echo(f"{count} cases exported to {output}", err=True)


summary_app = typer.Typer(help="The daily manager summary (ARREARS_SUMMARY_*).", no_args_is_help=True)

DayOption = Annotated[
    str | None,
    typer.Option("--day", help="local day (YYYY-MM-DD) in ARREARS_SUMMARY_TIME_ZONE; default yesterday"),
]


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        typer.echo(f"error: --day: {value!r} is not a date (YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None


def _system(database: str | None) -> System:
    from arrears.system import build_system
    from arrears.system.errors import ConfigError

    settings = get_settings()
    if database is not None:
        settings = settings.model_copy(update={"database_url": database})
    try:
        return build_system(settings)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _chosen_day(system: System, value: str | None) -> date:
    """--day, or yesterday in ARREARS_SUMMARY_TIME_ZONE."""
    chosen = _day(value)
    if chosen is not None:
        return chosen
    zone = ZoneInfo(system.settings.summary_time_zone)
    return system.clock.now().astimezone(zone).date() - timedelta(days=1)


DatabaseOption = Annotated[str | None, typer.Option(help="database URL (default ARREARS_DATABASE_URL)")]


@summary_app.command("show")
def summary_show(
    day: DayOption = None,
    html: Annotated[bool, typer.Option("--html", help="print the HTML part instead of the text")] = False,
    database: DatabaseOption = None,
) -> None:
    """Print the summary of a day (nothing is sent)."""
    system = _system(database)
    try:
        email = system.summary().render(_chosen_day(system, day))
    finally:
        system.dispose()
    typer.echo(email.subject)
    typer.echo("")
    typer.echo(email.html if html else email.text, nl=False)


@summary_app.command("send")
def summary_send(day: DayOption = None, database: DatabaseOption = None) -> None:
    """Send a day's summary to ARREARS_SUMMARY_RECIPIENTS, once per recipient (a repeat sends nothing)."""
    system = _system(database)
    try:
        summary = system.summary()
        if not summary.config.recipients:
            typer.echo("error: ARREARS_SUMMARY_RECIPIENTS is empty: nobody to send the summary to", err=True)
            raise typer.Exit(2)
        chosen = _chosen_day(system, day)
        sent = summary.send(chosen)
    finally:
        system.dispose()
    total = len(summary.config.recipients)
    had = total - sent
    typer.echo(f"summary of {chosen.isoformat()}: sent to {sent} of {total} recipients ({had} had it)")


def register(app: typer.Typer) -> None:
    app.add_typer(summary_app, name="summary")
