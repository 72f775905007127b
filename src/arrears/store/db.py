"""Engines and sessions: one place that knows the differences between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.orm import Session, sessionmaker


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


#: How long PostgreSQL lets a session sit idle inside a transaction before it ends the session.
IDLE_TRANSACTION_SECONDS = 60


def make_engine(
    url: str, *, idle_transaction_seconds: int = IDLE_TRANSACTION_SECONDS, **kwargs: Any
) -> Engine:
    """An engine whose errors never quote row values: they reach tracebacks and logs, and the values are
    customers' phone numbers, names and amounts.

    On PostgreSQL the server ends any session left idle inside a transaction for `idle_transaction_seconds`:
    our transactions never wait on a provider or a person, so such a session belongs to a process that was
    paused (SIGSTOP, a VM migration, a debugger) or hung while holding row locks, and every other worker
    would otherwise queue behind those locks until it came back."""
    url = normalise_url(url)
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    timeout_ms = idle_transaction_seconds * 1000
    options = {"options": f"-c idle_in_transaction_session_timeout={timeout_ms}"}
    engine = create_engine(url, pool_pre_ping=True, connect_args=options, **kwargs)
    event.listen(engine, "connect", _postgres_json)
    event.listen(engine, "handle_error", _postgres_without_detail)
    event.listen(engine.dialect, "do_executemany", _postgres_executemany)
    return engine


def _postgres_executemany(cursor: Any, statement: str, parameters: Any, _context: Any) -> bool:
    """psycopg runs executemany as a pipeline, and PostgreSQL 15 leaves its idle-in-transaction timer off
    after one (the pipeline's last message is a flush, not a sync), so a process paused right after it would
    hold its locks for ever. One more tiny statement in the same transaction arms the timer again."""
    cursor.executemany(statement, parameters)
    cursor.connection.execute("SELECT 1")  # its own cursor: the caller reads this one's rowcount
    return True


def _postgres_without_detail(context: ExceptionContext) -> None:
    """Drop PostgreSQL's DETAIL line from the error's text: it quotes the offending row or key
    ("Key (phone)=(+1...) already exists"). The driver's `diag` still holds it for code that needs it."""
    orig: Any = context.original_exception
    diag = getattr(orig, "diag", None)
    if diag is None or not diag.message_detail or not diag.message_primary:
        return
    quoted = str(orig)
    orig.args = (diag.message_primary,)
    wrapper = context.sqlalchemy_exception  # its message was composed from the driver's text already
    if wrapper is not None and wrapper.args:
        wrapper.args = (str(wrapper.args[0]).replace(quoted, diag.message_primary), *wrapper.args[1:])


def _postgres_json(dbapi_conn: Any, _record: Any) -> None:
    """Read json/jsonb with orjson (C): the planner loads a JSON column per case, thousands per batch."""
    from psycopg.types.json import set_json_loads

    set_json_loads(orjson.loads, dbapi_conn)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Autocommit at the driver level so SQLAlchemy's BEGIN below is the only transaction control.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    """Take the write lock up front: SQLite's lazy upgrade deadlocks concurrent writers."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The unit of work: commit at the task boundary, roll back on any error."""
    with factory() as session, session.begin():
        yield session
