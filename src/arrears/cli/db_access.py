"""Read-only access for commands that only look: never create a database, a schema or a file.

`make_engine("sqlite:///typo.db")` creates `typo.db`, and `upgrade()` creates tables: right for
`db upgrade` and the worker, wrong for `review list` or `export`, where a mistyped path should say so
instead of leaving an empty database behind. Here a SQLite file is opened read-write-but-never-create
(`mode=rw`) with `PRAGMA query_only`, and PostgreSQL transactions are READ ONLY; the schema must exist
and be at the migration head, or the command says what to run, on one line, and exits 2.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import typer
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session

from arrears.store.db import make_engine, session_factory
from arrears.store.migrate import alembic_config

#: The exit code of a read command against a database it cannot read (bad input, like compliance's).
EXIT_NOT_READY = 2


class DatabaseNotReady(Exception):
    """The database is missing, unreachable, empty or at another schema version; `str()` is one line."""

    def __init__(self, url: str, problem: str, remedy: str) -> None:
        self.url, self.problem, self.remedy = url, problem, remedy
        super().__init__(f"{url} {problem}; {remedy}")


def safe_url(url: str) -> str:
    """The URL as an operator may see it in a terminal or a log: the password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable database URL>"


def _upgrade_hint(shown: str) -> str:
    return f"run `arrears db upgrade --database {shown}` first"


def open_existing(url: str) -> Engine:
    """An engine on a database that already holds the current Arrears schema; creates and writes nothing.

    Raises DatabaseNotReady (a missing SQLite file, an unreachable server, no schema, another version).
    The caller disposes the engine.
    """
    shown = safe_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseNotReady(
            shown, "cannot be read", "give a URL such as sqlite:///arrears.db or postgresql://user@host/db"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_reader(parsed, shown)
    else:
        engine = make_engine(url, execution_options={"postgresql_readonly": True})
    try:
        check_schema(engine, shown)
    except BaseException:
        engine.dispose()
        raise
    return engine


def check_schema(engine: Engine, shown: str) -> None:
    """Raise DatabaseNotReady unless the database is at this code's migration head (nothing is created)."""
    script = ScriptDirectory.from_config(alembic_config())
    heads = set(script.get_heads())
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except DBAPIError as exc:
        problem = f"cannot be read ({_first_line(exc)})"
        raise DatabaseNotReady(shown, problem, _check_hint(engine, shown)) from None
    if current == heads:
        return
    if not current:
        raise DatabaseNotReady(shown, "has no Arrears schema", _upgrade_hint(shown))
    unknown = sorted(rev for rev in current if not _known(script, rev))
    if unknown:
        raise DatabaseNotReady(
            shown,
            f"is at schema version {', '.join(unknown)}, which this Arrears release does not know",
            "install the release that migrated it, or check --database",
        )
    raise DatabaseNotReady(
        shown,
        f"is at schema version {', '.join(sorted(current))}, not {', '.join(sorted(heads))}",
        _upgrade_hint(shown),
    )


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown or ambiguous id
        return False


def _check_hint(engine: Engine, shown: str) -> str:
    if engine.dialect.name == "sqlite":
        return "check that the path names an Arrears SQLite file"
    return "check the URL, that the server is up and that the database exists"


def _first_line(exc: DBAPIError) -> str:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc.orig).__name__


def _sqlite_path(parsed: URL, shown: str) -> str:
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        raise DatabaseNotReady(
            shown, "is an in-memory database, empty by definition", "give a file, e.g. sqlite:///arrears.db"
        )
    if database.startswith("file:"):  # a URI filename (uri=true): keep the path, drop its own options
        database = database[len("file:") :].split("?", 1)[0]
    return os.path.abspath(database)


def _sqlite_reader(parsed: URL, shown: str) -> Engine:
    """A SQLite engine that cannot create the file (mode=rw) nor change it (query_only)."""
    path = _sqlite_path(parsed, shown)
    if not os.path.exists(path):
        raise DatabaseNotReady(
            shown,
            "does not exist (nothing was created)",
            f"check the path, or create it with `arrears db upgrade --database {shown}`",
        )
    if os.path.isdir(path):
        raise DatabaseNotReady(shown, "is a directory, not a SQLite file", "check the path")
    uri = f"file:{quote(path)}?mode=rw"

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA query_only=ON")
        connection.execute("PRAGMA busy_timeout=30000")
        return connection

    engine = create_engine(f"sqlite:///{path}", creator=connect)
    # The driver is in autocommit mode; a plain (deferred) BEGIN gives each session one snapshot without
    # taking the write lock the workers' engines take with BEGIN IMMEDIATE.
    event.listen(engine, "begin", _begin_deferred)
    return engine


def _begin_deferred(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


@contextmanager
def existing_engine(url: str) -> Iterator[Engine]:
    """`open_existing` for a command: a database that is not ready is one line on stderr and exit 2."""
    try:
        engine = open_existing(url)
    except DatabaseNotReady as exc:
        typer.echo(f"arrears: {exc}", err=True)
        raise typer.Exit(EXIT_NOT_READY) from None
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def existing_session(url: str) -> Iterator[Session]:
    """One read session on an existing, current database (see `existing_engine`); nothing is committed."""
    with existing_engine(url) as engine, session_factory(engine)() as session:
        yield session


@contextmanager
def ready_engine(url: str) -> Iterator[Engine]:
    """For commands that change an existing database (claim a task, release a hold, replay an event): the
    same check as `existing_engine` first, so a mistyped URL is one line and creates nothing; then an
    ordinary engine that may write."""
    with existing_engine(url):
        pass
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
