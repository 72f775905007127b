"""Entry point: every sub-command registers itself here."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="arrears",
    help="Arrears: work overdue accounts through compliant, multi-channel strategies.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def _register() -> None:
    from arrears.cli import commands_agent

    commands_agent.register(app)


_register()

if __name__ == "__main__":
    app()
