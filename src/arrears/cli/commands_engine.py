"""Engine commands: `arrears db upgrade`, `arrears worker`, `arrears demo`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from arrears.core.clock import SystemClock
from arrears.logs import configure
from arrears.settings import Settings, get_settings

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


def _settings(database: str | None) -> Settings:
    settings = get_settings()
    return settings.model_copy(update={"database_url": database}) if database else settings


@db_app.command("upgrade")
def db_upgrade(
    database: str | None = typer.Option(None, help="SQLAlchemy URL (default ARREARS_DATABASE_URL)"),
) -> None:
    """Create or migrate the schema to the latest version."""
    from arrears.store.db import make_engine
    from arrears.store.migrate import upgrade

    upgrade(make_engine(_settings(database).database_url))
    typer.echo("schema up to date")


def worker(
    database: str | None = typer.Option(None, help="SQLAlchemy URL (default ARREARS_DATABASE_URL)"),
    once: bool = typer.Option(False, help="do one pass of every stage and exit"),
    lease_seconds: int | None = typer.Option(None, help="dispatcher lease (default ARREARS_LEASE_SECONDS)"),
) -> None:
    """Apply events, plan due cases and dispatch actions until stopped (SIGTERM / Ctrl-C)."""
    from arrears.store.migrate import upgrade
    from arrears.system import build_system
    from arrears.system.errors import ConfigError

    settings = _settings(database)
    if lease_seconds is not None:
        settings = settings.model_copy(update={"lease_seconds": lease_seconds})
    configure(settings.log_level, json_lines=settings.log_json)
    try:
        system = build_system(settings)
    except ConfigError as exc:
        typer.echo(f"arrears worker: {exc}", err=True)
        raise typer.Exit(code=2) from None
    upgrade(system.engine)
    runner = system.worker()
    if once:
        stats = runner.tick()
        typer.echo(
            json.dumps({"events": stats.events, "planned": stats.plan.cases, "sent": stats.dispatch.sent})
        )
        return
    runner.run_forever()


def demo(
    accounts: int = typer.Option(2000, min=1, help="accounts in the synthetic portfolio"),
    days: int = typer.Option(30, min=1, max=365, help="simulated days"),
    seed: int = typer.Option(7, help="random seed: the same seed gives the same run"),
    database: str = typer.Option("sqlite:///arrears-demo.db", help="where to build the demo"),
    fresh: bool = typer.Option(True, help="start from an empty database (SQLite file removed)"),
    as_json: bool = typer.Option(False, "--json", help="print the KPIs as one JSON object"),
    outbox: Path = typer.Option(Path("var/demo-outbox"), help="where the local channel sinks write"),
    providers: str = typer.Option(
        "local",
        help="local: the sinks and the local payment page; local-fakes: SMTP, Twilio, Stripe, Mailgun, "
        "HubSpot, Salesforce, signed webhooks and Slack, each a local fake speaking the vendor's wire format",
    ),
) -> None:
    """Work a synthetic portfolio through the full engine on simulated time, then print the KPIs."""
    from arrears.demo.run import DemoOptions, fresh_sqlite, run_demo
    from arrears.store.db import make_engine
    from arrears.store.migrate import upgrade

    settings = get_settings().model_copy(update={"database_url": database, "outbox_dir": outbox})
    if fresh:
        fresh_sqlite(database)
        shutil.rmtree(outbox, ignore_errors=True)
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    if providers not in ("local", "local-fakes"):
        raise typer.BadParameter("choose local or local-fakes", param_hint="--providers")
    options = DemoOptions(accounts=accounts, days=days, seed=seed, providers=providers)
    received: dict[str, int] = {}
    console = Console(stderr=True)
    with Progress(
        TextColumn("simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("hours"),
        TimeElapsedColumn(),
        console=console,
        disable=as_json or not console.is_terminal,
    ) as bar:
        task = bar.add_task("demo", total=days * 24)
        kpis = run_demo(
            settings,
            options,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            providers_report=received.update,
        )
    if as_json:
        body = kpis.to_json() | ({"providers": received} if received else {})
        typer.echo(json.dumps(body, sort_keys=True))
        return
    _print_kpis(kpis, accounts, days)
    for name, count in received.items():
        typer.echo(f"{name.replace('_', ' ')}: {count}")


def _print_kpis(kpis: object, accounts: int, days: int) -> None:
    from arrears.cli.report_tables import kpi_table
    from arrears.metrics.kpis import Kpis

    assert isinstance(kpis, Kpis)
    Console().print(kpi_table(kpis, f"Arrears demo: {accounts} accounts, {days} simulated days"))


review_app = typer.Typer(help="Actions held for a person before sending.", no_args_is_help=True)


@review_app.command("list")
def review_list(
    database: str | None = typer.Option(None, help="SQLAlchemy URL (default ARREARS_DATABASE_URL)"),
    limit: int = typer.Option(100, min=1, max=10_000),
    as_json: bool = typer.Option(False, "--json", help="print every field and the message as a JSON array"),
) -> None:
    """Show the actions waiting for review, oldest first, with the message each would send now."""
    from arrears.cli.db_access import existing_session
    from arrears.cli.review_view import print_review, review_json
    from arrears.engine.preview import preview_actions
    from arrears.engine.review import pending_review
    from arrears.system.parts import contact_gate, disclosure_texts, message_config

    settings = _settings(database)
    gate = contact_gate(settings)
    messages = message_config(settings, required=False)
    with existing_session(settings.database_url) as session:
        items = pending_review(session, limit)
        held = [item.held() for item in items]
        now = SystemClock().now()
        texts = disclosure_texts(gate, settings, slots=True)
        previews = preview_actions(session, held, now, gate, texts, messages)
    if as_json:
        typer.echo(review_json(items, previews))
        return
    print_review(items, previews, Console())


def _decide(ids: list[str], database: str | None, actor: str, approve: bool) -> None:
    from arrears.engine.review import decide
    from arrears.store.db import make_engine, session_factory, transaction

    with transaction(session_factory(make_engine(_settings(database).database_url))) as session:
        changed = decide(session, ids, approve=approve, actor=actor, now=SystemClock().now())
    verb = "approved" if approve else "rejected"
    typer.echo(f"{changed} of {len(ids)} action(s) {verb}")
    if changed != len(ids):
        raise typer.Exit(code=1)


@review_app.command("approve")
def review_approve(
    ids: list[str] = typer.Argument(..., help="action ids from `arrears review list`"),
    actor: str = typer.Option(..., help="who approves (recorded in the audit log)"),
    database: str | None = typer.Option(None),
) -> None:
    """Release actions to be sent (the contact gate still decides at send time)."""
    _decide(ids, database, actor, approve=True)


@review_app.command("reject")
def review_reject(
    ids: list[str] = typer.Argument(..., help="action ids from `arrears review list`"),
    actor: str = typer.Option(..., help="who rejects (recorded in the audit log)"),
    database: str | None = typer.Option(None),
) -> None:
    """Cancel actions so they are never sent."""
    _decide(ids, database, actor, approve=False)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(review_app, name="review")
    app.command()(worker)
    app.command()(demo)
