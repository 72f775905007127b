"""`arrears writeback status|dead|replay`: how far each write-back destination (HubSpot, Salesforce, signed
webhooks, Slack) has read the feed, what it refused, and sending the refused events again once fixed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from arrears.cli.db_access import existing_session, ready_engine
from arrears.settings import get_settings
from arrears.store.db import session_factory, transaction

writeback_app = typer.Typer(
    help="Write-back: cursors, retries and dead letters per destination.", no_args_is_help=True
)
Database = Annotated[str | None, typer.Option(help="SQLAlchemy URL (default ARREARS_DATABASE_URL)")]
Destination = Annotated[str | None, typer.Option(help="one destination, e.g. webhook:erp, slack, hubspot")]


def _url(database: str | None) -> str:
    return database or get_settings().database_url


def _configured() -> list[str]:
    """The destinations this deployment's settings configure (none when the settings cannot build)."""
    from arrears.system import build_system

    try:
        system = build_system(get_settings())
    except Exception as exc:  # the status of what the database knows is still worth showing
        typer.echo(f"arrears writeback: configured destinations unknown ({type(exc).__name__})", err=True)
        return []
    try:
        return [d.name for o in system.offers for d in o.destinations]
    finally:
        system.dispose()


@writeback_app.command("status")
def status(
    database: Database = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON lines")] = False,
) -> None:
    """Per destination: cursor position, events behind, retrying, dead and the oldest dead letter."""
    from arrears.writeback.status import ledger_destinations, statuses

    with existing_session(_url(database)) as session:  # the database is checked before anything is built
        rows = statuses(session, [*_configured(), *ledger_destinations(session)])
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row.to_json()))
        return
    table = Table(title=f"{len(rows)} write-back destination(s)")
    for column in ("destination", "position", "behind", "retrying", "dead", "oldest dead (UTC)", "lease"):
        table.add_column(column, overflow="fold")
    for r in rows:
        oldest = r.oldest_dead.strftime("%Y-%m-%d %H:%M") if r.oldest_dead else ""
        position = f"{r.position[0]}:{r.position[1]}"
        counts = (str(r.behind), str(r.retrying), str(r.dead))
        table.add_row(r.destination, position, *counts, oldest, r.lease_owner or "")
    Console().print(table)


@writeback_app.command("dead")
def dead(
    destination: Destination = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 100,
    database: Database = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON lines")] = False,
) -> None:
    """Dead letters, oldest first: events a destination refused or that ran out of retries."""
    from arrears.writeback.status import dead_letters

    with existing_session(_url(database)) as session:
        rows = [
            {
                "destination": r.destination,
                "event_id": r.event_id,
                "kind": r.event_kind,
                "attempts": r.attempts,
                "last_error": r.last_error,
                "dead_since": r.updated_at.isoformat(),
            }
            for r in dead_letters(session, destination, limit)
        ]
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row))
        return
    table = Table(title=f"{len(rows)} dead letter(s)")
    for column in ("destination", "event id", "kind", "attempts", "last error"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            *(str(row[k] or "") for k in ("destination", "event_id", "kind", "attempts", "last_error"))
        )
    Console().print(table)


@writeback_app.command("replay")
def replay(
    destination: Destination = None,
    event: Annotated[str | None, typer.Option(help="one event id")] = None,
    all_dead: Annotated[
        bool, typer.Option("--all", help="every dead letter (of --destination if given)")
    ] = False,
    database: Database = None,
) -> None:
    """Move dead letters back to retrying, due now (after fixing their cause); the worker sends them."""
    from arrears.writeback.ledger import replay_dead

    if event is None and not all_dead and destination is None:
        typer.echo("arrears: name --event ID or --destination X, or pass --all", err=True)
        raise typer.Exit(2)
    with ready_engine(_url(database)) as engine, transaction(session_factory(engine)) as session:
        count = replay_dead(session, datetime.now(UTC), destination=destination, event_id=event)
    typer.echo(f"{count} dead letter(s) queued again")


def register(app: typer.Typer) -> None:
    app.add_typer(writeback_app, name="writeback")
