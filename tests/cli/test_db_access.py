"""Read access never creates a database or a schema, and says in one line what is wrong and what to run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from arrears.cli.db_access import DatabaseNotReady, open_existing, safe_url
from arrears.store.db import make_engine
from tests.cli.support import scratch_postgres, table_names


@pytest.fixture
def migrated(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "arrears.db"
    shutil.copy(sqlite_template, path)
    return path


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    with scratch_postgres() as url:
        yield url


def _refusal(url: str) -> str:
    with pytest.raises(DatabaseNotReady) as caught:
        open_existing(url)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    message = _refusal(f"sqlite:///{path}")
    assert "does not exist" in message and "arrears db upgrade" in message
    assert list(tmp_path.iterdir()) == []


def test_an_empty_sqlite_file_stays_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    message = _refusal(f"sqlite:///{path}")
    assert "has no Arrears schema" in message
    assert f"arrears db upgrade --database sqlite:///{path}" in message
    assert path.stat().st_size == 0
    assert [p.name for p in tmp_path.iterdir()] == ["empty.db"]  # no -wal or -shm left behind


def test_a_file_that_is_not_sqlite_is_named(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database " * 100)
    assert "cannot be read (file is not a database)" in _refusal(f"sqlite:///{path}")
    assert path.read_text() == "not a database " * 100


def test_in_memory_sqlite_is_refused() -> None:
    assert "in-memory" in _refusal("sqlite://")


def test_a_schema_behind_or_ahead_of_this_release_is_refused(migrated: Path) -> None:
    url = f"sqlite:///{migrated}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0007_contact_points_index'"))
    engine.dispose()
    behind = _refusal(url)
    assert "schema version 0007_contact_points_index, not" in behind and "arrears db upgrade" in behind
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    assert "this Arrears release does not know" in _refusal(url)


def test_a_current_sqlite_database_is_read_but_never_written(migrated: Path) -> None:
    engine = open_existing(f"sqlite:///{migrated}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM cases")).scalar_one() == 0
            with pytest.raises(Exception, match="readonly"):
                conn.execute(text("DELETE FROM cases"))
    finally:
        engine.dispose()


def test_an_empty_postgres_database_gets_no_schema(empty_postgres: str) -> None:
    message = _refusal(empty_postgres)
    assert "has no Arrears schema" in message
    assert table_names(empty_postgres) == []


def test_postgres_reads_are_read_only(postgres_url: str) -> None:
    engine = open_existing(postgres_url)
    try:
        with engine.connect() as conn, pytest.raises(Exception, match="read-only"):
            conn.execute(text("DELETE FROM cases"))
    finally:
        engine.dispose()


def test_passwords_never_appear() -> None:
    assert (
        safe_url("postgresql://app:s3cret@db.internal/arrears") == "postgresql://app:***@db.internal/arrears"
    )
    unreachable = "postgresql://app:s3cret@127.0.0.1:1/arrears"
    message = _refusal(unreachable)
    assert "s3cret" not in message and "app:***@127.0.0.1:1" in message and "cannot be read" in message
