"""One suite over real SQLite and real PostgreSQL.

Every test that takes `engine` runs twice: on a fresh SQLite file and on a fresh PostgreSQL database.
Under CI (CI=true) an unreachable PostgreSQL is a failure, never a silent skip.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from arrears.store.base import Base
from arrears.store.db import make_engine, session_factory
from arrears.store.migrate import upgrade

PG_ADMIN_URL = os.environ.get(
    "ARREARS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Messages are never sent unsigned (ARREARS_BUSINESS_NAME is required to start); tests sign as this.
os.environ.setdefault("ARREARS_BUSINESS_NAME", "Acme Test Utilities")


def _pg_reachable() -> str | None:
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
        admin.dispose()
        return None
    except Exception as exc:  # any driver error means the same thing here
        return f"{type(exc).__name__}: {exc}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test copies the file, which is far faster than migrating again."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    problem = _pg_reachable()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI and is unreachable: {problem}")
        pytest.skip(f"PostgreSQL unreachable: {problem}")
    name = f"arrears_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "arrears.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("pg_database")
    _empty(url)
    yield url


def _empty(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def postgres_url(pg_database: str) -> str:
    """An empty PostgreSQL database, for what only PostgreSQL does (several workers on one database)."""
    _empty(pg_database)
    return pg_database


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


_LOG_SCAN = None


def pytest_sessionstart(session: pytest.Session) -> None:
    """Scan every log record the suite's own processes write (tests/log_scan.py)."""
    global _LOG_SCAN
    from tests.log_scan import attach

    _LOG_SCAN = attach()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Personal data or a secret in any log line fails the run, listed with the line."""
    if _LOG_SCAN is None:
        return
    spawned = _LOG_SCAN.scan_spawned()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    leaks = len(_LOG_SCAN.leaks)
    summary = f"log scan: {_LOG_SCAN.lines} lines ({spawned} process logs), {leaks} with personal data"
    if reporter is not None:
        reporter.write_line(summary)
        for kind, line in _LOG_SCAN.leaks[:20]:
            reporter.write_line(f"  {kind}: {line}")
    if _LOG_SCAN.leaks and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
