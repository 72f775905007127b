"""API commands: `arrears serve` and `arrears api-key create|revoke|list`."""

from __future__ import annotations

import os

import typer

from arrears.core.clock import SystemClock
from arrears.settings import Settings, get_settings

keys_app = typer.Typer(help="API keys (stored hashed; the key itself is shown once).", no_args_is_help=True)
DATABASE = typer.Option(None, "--database", help="SQLAlchemy URL (default ARREARS_DATABASE_URL)")


def _settings(database: str | None) -> Settings:
    if database:
        # Set for the whole process tree: uvicorn workers build their own settings from the environment.
        os.environ["ARREARS_DATABASE_URL"] = database
        get_settings.cache_clear()
    return get_settings()


def serve(
    host: str = typer.Option("127.0.0.1", help="interface to listen on"),
    port: int = typer.Option(8000, help="TCP port"),
    workers: int = typer.Option(1, min=1, help="worker processes"),
    database: str | None = DATABASE,
) -> None:
    """Run the REST API (migrating the schema first) until stopped."""
    import uvicorn

    from arrears.store.db import make_engine
    from arrears.store.migrate import upgrade
    from arrears.system.errors import ConfigError
    from arrears.system.parts import message_config

    settings = _settings(database)
    try:
        message_config(settings)  # refused here, before uvicorn starts workers that would each fail
    except ConfigError as exc:
        typer.echo(f"arrears serve: {exc}", err=True)
        raise typer.Exit(code=2) from None
    engine = make_engine(settings.database_url)
    upgrade(engine)
    engine.dispose()
    uvicorn.run(
        "arrears.system:serve_app",
        factory=True,
        log_config=None,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
    )


@keys_app.command("create")
def create(
    name: str = typer.Argument(..., help="who the key is for, e.g. billing-sync"),
    scope: list[str] = typer.Option(..., "--scope", help="events:write and/or read; repeat for several"),
    database: str | None = DATABASE,
) -> None:
    """Create a key and print it once: only its hash is stored."""
    from arrears.api.keys import create_api_key
    from arrears.store.db import make_engine, session_factory, transaction

    factory = session_factory(make_engine(_settings(database).database_url))
    try:
        with transaction(factory) as session:
            key, token = create_api_key(session, name=name, scopes=scope, now=SystemClock().now())
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--scope") from None
    typer.echo(token)
    typer.echo(
        f"prefix {key.prefix}, scopes {', '.join(key.scopes)}: store the key now, it is not shown again",
        err=True,
    )


@keys_app.command("revoke")
def revoke(
    prefix: str = typer.Argument(..., help="the key's prefix (the part after arr_)"),
    database: str | None = DATABASE,
) -> None:
    """Revoke a key; requests with it are refused from the next one on."""
    from arrears.api.keys import revoke_api_key
    from arrears.store.db import make_engine, session_factory, transaction

    factory = session_factory(make_engine(_settings(database).database_url))
    with transaction(factory) as session:
        revoked = revoke_api_key(session, prefix, now=SystemClock().now())
    if not revoked:
        typer.echo(f"no active key with prefix {prefix!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {prefix}")


@keys_app.command("list")
def list_keys(database: str | None = DATABASE) -> None:
    """Name, prefix, scopes and state of every key (never the key)."""
    from sqlalchemy import select

    from arrears.cli.db_access import existing_session
    from arrears.store.models import ApiKey

    with existing_session(_settings(database).database_url) as session:
        for key in session.scalars(select(ApiKey).order_by(ApiKey.created_at)):
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            typer.echo(f"{key.prefix}  {key.name}  {','.join(key.scopes)}  {state}")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(keys_app, name="api-key")
