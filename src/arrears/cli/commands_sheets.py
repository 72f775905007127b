"""`arrears export recovery --format csv|xlsx --out FILE` (the recovery sheet, with a progress bar) and
`arrears summary show|send [--day]` (the daily manager summary)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from arrears.settings import get_settings


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


def register(app: typer.Typer) -> None:
    app.add_typer(summary_app, name="summary")
