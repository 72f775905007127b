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
    for column in ("name", "version", "review first", "steps (day: channel > fallbacks)", "content hash"):
        table.add_column(column)
    for loaded in StrategyLibrary.load(get_settings().strategies_dir):
        strategy = loaded.strategy
        steps = ", ".join(
            f"{s.day}: {' > '.join(c.value for c in (s.channel, *s.fallback_channels))}"
            for s in strategy.ordered_steps
        )
        table.add_row(
            strategy.name,
            str(strategy.version),
            str(strategy.review_first_n),
            steps,
            loaded.content_hash[:19],
        )
    Console().print(table)


@strategy_app.command("validate")
def validate(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    max_discount_bps: int = typer.Option(
        5_000, min=0, max=10_000, help="largest offer discount allowed, in basis points (5000 = 50%)"
    ),
) -> None:
    """Check strategy files: the schema (file, line and field), then every contact step's messages rendered
    for sample customers of each shipped locale (unknown template, unfilled variable, SMS over 2 segments,
    subject over 78 characters) and its offer (discount bounds, expiry). Exit 1 if anything is wrong."""
    from arrears.messages.validate import check_strategy
    from arrears.strategy.loader import StrategyError, load_strategy
    from arrears.system.parts import message_config, sample_disclosures

    settings = get_settings()
    if not (settings.business_name or "").strip():  # a name of realistic length for the length checks
        settings = settings.model_copy(update={"business_name": "Northwind Energy Services"})
    messages = message_config(settings)
    business = messages.business
    disclosures = sample_disclosures(settings)
    failed = False
    for path in files:
        try:
            loaded = load_strategy(path)
        except StrategyError as exc:
            failed = True
            for issue in exc.issues:
                typer.echo(str(issue), err=True)
            continue
        problems = check_strategy(
            loaded.strategy,
            messages.templates,
            business,
            disclosures_for=disclosures,
            max_discount_bps=max_discount_bps,
        )
        for problem in problems:
            typer.echo(f"{path}: {problem}", err=True)
        failed = failed or bool(problems)
        name, version = loaded.key
        if not problems:
            typer.echo(f"{path}: ok ({name} version {version}, {len(loaded.strategy.steps)} steps)")
    if failed:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.add_typer(strategy_app, name="strategy")
