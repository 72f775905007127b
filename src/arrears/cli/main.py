"""Entry point: every sub-command registers itself here."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="arrears",
    help="Arrears: work overdue accounts through compliant, multi-channel strategies.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def main() -> None:
    """Arrears: work overdue accounts through compliant, multi-channel strategies."""


@app.command()
def version() -> None:
    """Print the installed version."""
    from importlib.metadata import version as dist_version

    typer.echo(dist_version("arrears"))


def _register() -> None:
    from arrears.cli import (
        commands_agent,
        commands_api,
        commands_compliance,
        commands_data,
        commands_engine,
        commands_feed,
        commands_providers,
        commands_report,
        commands_sheets,  # arrears summary show|send
        commands_strategy,
        commands_work,
        commands_writeback,
    )

    for module in (
        commands_agent,
        commands_api,
        commands_compliance,
        commands_data,
        commands_engine,
        commands_feed,
        commands_providers,
        commands_report,
        commands_sheets,  # arrears summary show|send
        commands_strategy,
        commands_work,
        commands_writeback,
    ):
        module.register(app)


_register()

if __name__ == "__main__":
    app()
