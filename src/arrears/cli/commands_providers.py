"""`arrears providers list|check`: which provider serves each channel, payment links and write-back, and
whether each configured provider's credentials and settings work (one read-only call each)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

import typer

from arrears.providers.checks import CheckResult
from arrears.settings import Settings, get_settings

if TYPE_CHECKING:
    from arrears.system import System

providers_app = typer.Typer(
    help="Providers: who sends, links and writes back, and whether their credentials work.",
    no_args_is_help=True,
)
DATABASE = typer.Option(None, "--database", help="SQLAlchemy URL (default ARREARS_DATABASE_URL)")


def _system(database: str | None, command: str) -> System:
    from arrears.system import build_system
    from arrears.system.errors import ConfigError

    settings: Settings = get_settings()
    if database:
        settings = settings.model_copy(update={"database_url": database})
    try:
        return build_system(settings)
    except (ConfigError, ValueError) as exc:
        typer.echo(f"arrears providers {command}: {exc}", err=True)
        raise typer.Exit(code=2) from None


def _served_by(system: System) -> dict[str, str]:
    """Each channel and capability, and the provider behind it (the last offer wins, as in the system)."""
    served: dict[str, str] = {}
    for offer in system.offers:
        for channel in offer.channels:
            served[f"channel {channel}"] = offer.name
        if offer.payment_links is not None:
            served["payment links"] = offer.name
        for destination in offer.destinations:
            served[f"write-back {destination.name}"] = offer.name
        if offer.routes is not None:
            served.setdefault(f"web routes of {offer.name}", offer.name)
    return served


@providers_app.command("list")
def list_providers(
    database: str | None = DATABASE,
    as_json: bool = typer.Option(False, "--json", help="one JSON object"),
) -> None:
    """Who serves each channel, the payment links and each write-back destination."""
    system = _system(database, "list")
    try:
        served = _served_by(system)
    finally:
        system.dispose()
    if as_json:
        typer.echo(json.dumps(served, indent=2))
        return
    width = max(len(name) for name in served)
    for name, provider in served.items():
        typer.echo(f"{name.ljust(width)}  {provider}")


def run_checks(checks: Sequence[CheckResult]) -> int:
    """Print each result with its fix; the exit code is 1 when any failed."""
    for result in checks:
        mark = "ok  " if result.ok else "FAIL"
        typer.echo(f"{mark} {result.provider}: {result.detail}")
        if not result.ok and result.fix:
            typer.echo(f"     fix: {result.fix}")
    return 0 if all(result.ok for result in checks) else 1


@providers_app.command("check")
def check(
    database: str | None = DATABASE,
    as_json: bool = typer.Option(False, "--json", help="one JSON object per check, in a list"),
) -> None:
    """Make each configured provider's read-only call and say plainly what is wrong and how to fix it.

    Exit code 0: every check passed (or no provider is configured: the local sinks need none); 1: one
    failed; 2: the settings themselves are wrong."""
    system = _system(database, "check")
    try:
        results = [check() for offer in system.offers for check in offer.checks]
    finally:
        system.dispose()
    if as_json:
        typer.echo(json.dumps([asdict(result) for result in results], indent=2))
        raise typer.Exit(code=0 if all(r.ok for r in results) else 1)
    if not results:
        typer.echo("no provider configured: messages go to the local sinks and links to the local page")
        return
    raise typer.Exit(code=run_checks(results))


def register(app: typer.Typer) -> None:
    app.add_typer(providers_app, name="providers")
