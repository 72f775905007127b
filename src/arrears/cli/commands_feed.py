"""What came in and what happened: `arrears inbox list|show|replay` (every stored input, and why one failed)
and `arrears events tail` (the feed of domain events that write-back, webhooks and alerts consume)."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from arrears.cli.db_access import existing_session, ready_engine
from arrears.settings import get_settings
from arrears.store.db import session_factory, transaction
from arrears.store.models import InboxEvent

inbox_app = typer.Typer(
    help="Every input stored once: API events, webhooks, chat turns.", no_args_is_help=True
)
events_app = typer.Typer(help="The feed of domain events.", no_args_is_help=True)
Database = Annotated[str | None, typer.Option(help="SQLAlchemy URL (default ARREARS_DATABASE_URL)")]


def _url(database: str | None) -> str:
    return database or get_settings().database_url


@inbox_app.command("list")
def list_inbox(
    status: Annotated[
        str | None, typer.Option(help="pending, done or failed (default: every status)")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="e.g. payment.received, twilio.message")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    database: Database = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON lines")] = False,
) -> None:
    """The newest inputs first, with why a failed one failed and when it is tried again."""
    with existing_session(_url(database)) as session:
        query = select(InboxEvent)
        if status is not None:
            query = query.where(InboxEvent.status == status)
        if kind is not None:
            query = query.where(InboxEvent.kind == kind)
        rows = list(
            session.scalars(query.order_by(InboxEvent.received_at.desc(), InboxEvent.id).limit(limit))
        )
    if as_json:
        for row in rows:
            typer.echo(json.dumps(_inbox_json(row, payload=False)))
        return
    table = Table(title=f"{len(rows)} input(s)")
    for column in ("id", "source", "kind", "received (UTC)", "status", "tries", "next try", "error"):
        table.add_column(column, overflow="fold")
    for r in rows:
        retry = r.next_attempt_at.strftime("%Y-%m-%d %H:%M") if r.next_attempt_at else ""
        received = r.received_at.strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(r.id, r.source, r.kind, received, r.status, str(r.attempts), retry, r.error or "")
    Console().print(table)


@inbox_app.command("show")
def show(event_id: str, database: Database = None) -> None:
    """One input in full: its payload, what applying it answered, or the problem that stopped it."""
    with existing_session(_url(database)) as session:
        row = session.get(InboxEvent, event_id)
        if row is None:
            typer.echo(f"arrears: no inbox event {event_id!r}", err=True)
            raise typer.Exit(1)
        typer.echo(json.dumps(_inbox_json(row, payload=True), indent=2))


@inbox_app.command("replay")
def replay(
    ids: Annotated[list[str] | None, typer.Argument(help="failed inputs to apply again")] = None,
    all_failed: Annotated[bool, typer.Option("--all-failed", help="every failed input")] = False,
    database: Database = None,
) -> None:
    """Queue failed inputs again (after fixing their cause); the worker applies them in order."""
    from arrears.inbox import requeue

    if not ids and not all_failed:
        typer.echo("arrears: name the failed inputs to replay, or pass --all-failed", err=True)
        raise typer.Exit(2)
    with ready_engine(_url(database)) as engine, transaction(session_factory(engine)) as session:
        count = requeue(session, None if all_failed else ids)
    typer.echo(f"{count} input(s) queued again")


@events_app.command("tail")
def tail(
    after: Annotated[
        str, typer.Option(help="a position from an earlier line (txid:seq); default: the start")
    ] = "0:0",
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="events per read")] = 100,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="keep reading as events arrive")] = False,
    kind: Annotated[str | None, typer.Option(help="only this kind, e.g. task.opened")] = None,
    database: Database = None,
) -> None:
    """Print domain events in commit order, one JSON object per line (each carries its position)."""
    from arrears.feed import read_after

    position = _position(after)
    while True:
        with existing_session(_url(database)) as session:
            events = read_after(session, position, limit)
        for event in events:
            position = event.position
            if kind is None or event.kind == kind:
                typer.echo(json.dumps(event.to_json()))
        if not follow:
            return
        if len(events) < limit:
            time.sleep(1.0)


def _position(text: str) -> tuple[int, int]:
    try:
        txid, seq = text.split(":")
        return int(txid), int(seq)
    except ValueError:
        typer.echo(f"arrears: --after must be a position such as 0:0 or 1234:56, not {text!r}", err=True)
        raise typer.Exit(2) from None


def _inbox_json(row: InboxEvent, *, payload: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": row.id,
        "source": row.source,
        "external_id": row.external_id,
        "kind": row.kind,
        "status": row.status,
        "attempts": row.attempts,
        "received_at": row.received_at.isoformat(),
        "processed_at": row.processed_at.isoformat() if row.processed_at else None,
        "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
        "error": row.error,
    }
    if payload:
        shown |= {"payload": row.payload, "result": row.result, "problem": row.problem}
    return shown


def register(app: typer.Typer) -> None:
    app.add_typer(inbox_app, name="inbox")
    app.add_typer(events_app, name="events")
