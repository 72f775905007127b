"""Compliance commands (`arrears compliance rules`, `arrears compliance explain`)."""

from __future__ import annotations

import typer

from arrears.compliance.model import Address
from arrears.compliance.profiles import CollectorKind, ProfileError, ProfileRegistry
from arrears.compliance.report import format_rules

compliance_app = typer.Typer(help="The contact gate: rules in force and why a contact was allowed or not.")


@compliance_app.command("rules")
def rules(
    profile: str = typer.Option(
        None, "--profile", "-p", help="Profile name(s), comma-separated (e.g. us,us-ma,us-third-party)."
    ),
    country: str = typer.Option(None, help="Resolve profiles from an address instead: country code."),
    state: str = typer.Option(None, help="State or subdivision for --country."),
    collector_kind: str = typer.Option("third_party", help="third_party or creditor (with --country)."),
) -> None:
    """Print the rule table in force: rule id, parameters, source."""
    registry = ProfileRegistry.builtin()
    try:
        if profile:
            names = tuple(n.strip() for n in profile.split(",") if n.strip())
        elif country:
            kind: CollectorKind = "creditor" if collector_kind == "creditor" else "third_party"
            resolved = registry.resolve(Address(country, state), kind)
            if resolved is None:
                typer.echo(f"no profile covers {country}: every contact is refused", err=True)
                raise typer.Exit(2)
            names = resolved
        else:
            typer.echo("profiles: " + ", ".join(registry.names()))
            typer.echo("use --profile NAME[,NAME...] or --country CC [--state ST] to see a rule table")
            return
        typer.echo(format_rules(registry.policy(names)))
    except ProfileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


def register(app: typer.Typer) -> None:
    app.add_typer(compliance_app, name="compliance")
