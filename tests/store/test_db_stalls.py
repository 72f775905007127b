"""A process paused inside a transaction must not hold its locks for ever: PostgreSQL ends its session."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, text, update
from sqlalchemy.exc import DBAPIError

from arrears.store.db import make_engine

_TABLE = Table("stall_probe", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer))


@pytest.mark.parametrize("last", ["statement", "executemany"])
def test_a_session_left_idle_in_its_transaction_is_ended_by_the_server(postgres_url: str, last: str) -> None:
    """Whatever the transaction did last (executemany runs as a psycopg pipeline, after which PostgreSQL 15
    would not arm its timer on its own), a session idle in it past the limit is ended and its locks freed."""
    engine = make_engine(postgres_url, idle_transaction_seconds=1)
    other = make_engine(postgres_url)
    try:
        with engine.begin() as conn:
            _TABLE.create(conn)
            conn.execute(_TABLE.insert(), [{"id": i, "n": 0} for i in range(5)])
        with pytest.raises(DBAPIError) as ended, engine.begin() as conn:
            if last == "executemany":
                change = update(_TABLE).where(_TABLE.c.id == bindparam("key")).values(n=1)
                assert conn.execute(change, [{"key": i} for i in range(5)]).rowcount == 5
            else:
                conn.execute(update(_TABLE).values(n=1))
            time.sleep(2.5)  # paused: nothing reaches the server
            conn.execute(text("SELECT 1"))
        assert ended.value.connection_invalidated or "idle-in-transaction" in str(ended.value)
        with other.begin() as conn:  # the rows it had locked are free, and its changes are gone
            conn.execute(text("SET LOCAL lock_timeout = '1s'"))
            assert conn.execute(update(_TABLE).values(n=2)).rowcount == 5
    finally:
        with other.begin() as conn:
            _TABLE.drop(conn, checkfirst=True)
        engine.dispose()
        other.dispose()
