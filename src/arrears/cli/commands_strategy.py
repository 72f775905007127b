"""Strategy commands: `arrears strategy list` and `arrears strategy validate FILE...`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from arrears.settings import get_settings

strategy_app = typer.Typer(help="Collection strategies (YAML).", no_args_is_help=True)


@strategy_app.command("list")
def list_strategies() -> None:
    """Every strategy version this deployment can run, with its steps."""
    from arrears.strategy.catalog import StrategyLibrary

    table = Table(title="strategies")
    for column in ("name", "version", "review first", "steps (day: channel)", "content hash"):
        table.add_column(column)
    for loaded in StrategyLibrary.load(get_settings().strategies_dir):
        strategy = loaded.strategy
        steps = ", ".join(f"{s.day}: {s.channel.value}" for s in strategy.ordered_steps)
        table.add_row(
            strategy.name,
            str(strategy.version),
            str(strategy.review_first_n),
            steps,
            loaded.content_hash[:19],
        )
    Console().print(table)


@strategy_app.command("validate")
def validate(files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, readable=True)) -> None:
    """Check strategy files; every problem is printed with its file, line and field. Exit 1 if any."""
    from arrears.strategy.loader import StrategyError, load_strategy

    failed = False
    for path in files:
        try:
            loaded = load_strategy(path)
        except StrategyError as exc:
            failed = True
            for issue in exc.issues:
                typer.echo(str(issue), err=True)
            continue
        name, version = loaded.key
        typer.echo(f"{path}: ok ({name} version {version}, {len(loaded.strategy.steps)} steps)")
    if failed:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.add_typer(strategy_app, name="strategy")
