"""Database errors never quote the values of the statement: they reach tracebacks and server logs."""

from __future__ import annotations

import logging
import traceback

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

PHONE = "+15558675309"


def test_a_database_error_names_no_parameter(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    """A duplicate key holding a phone number: neither the error, its traceback nor a log line repeats it
    (PostgreSQL's DETAIL quotes the key; SQLAlchemy quotes the parameters unless hidden)."""
    with engine.connect() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE phones (phone VARCHAR(20) UNIQUE)"))
        conn.execute(text("INSERT INTO phones VALUES (:phone)"), {"phone": PHONE})
        with pytest.raises(DBAPIError) as raised:
            conn.execute(text("INSERT INTO phones VALUES (:phone)"), {"phone": PHONE})
        conn.rollback()
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("arrears.test").error("insert failed", exc_info=raised.value)
    shown = "".join(traceback.format_exception(raised.value)) + caplog.text
    assert "phones" in shown and "UNIQUE" in shown.upper()  # the error still says what went wrong
    assert PHONE not in shown
    assert PHONE[2:] not in shown
