"""Postal street lines through the import: stored on the customer, a blank keeps what is stored."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from arrears.store.models import Customer
from tests.ingest.helpers import HEADER, row, run, write_csv

LINES = [*HEADER, "address_line1", "address_line2"]


def _lines(engine: Engine) -> tuple[str | None, str | None]:
    with engine.connect() as conn:
        found = conn.execute(select(Customer.address_line1, Customer.address_line2)).one()
    return found.address_line1, found.address_line2


def test_street_lines_are_stored_and_a_blank_keeps_them(engine: Engine, tmp_path: Path) -> None:
    first = row(address_line1="12 Main Street", address_line2="Suite 400")
    report, errors = run(engine, write_csv(tmp_path / "a.csv", [first], LINES))
    assert errors == [] and report.rows_imported == 1
    assert _lines(engine) == ("12 Main Street", "Suite 400")

    blank = row(invoice_id="I2", address_line1="", address_line2="")
    report, errors = run(engine, write_csv(tmp_path / "b.csv", [blank], LINES))
    assert errors == [] and report.counts["customers_updated"] == 0
    assert _lines(engine) == ("12 Main Street", "Suite 400")

    moved = row(invoice_id="I3", address_line1="1 New Road", address_line2="")
    run(engine, write_csv(tmp_path / "c.csv", [moved], LINES))
    assert _lines(engine) == ("1 New Road", "Suite 400")


def test_a_street_line_over_256_characters_is_refused(engine: Engine, tmp_path: Path) -> None:
    long = row(address_line1="x" * 257)
    report, errors = run(engine, write_csv(tmp_path / "a.csv", [long], LINES))
    assert report.rows_imported == 0
    assert [(e.line, e.field, e.reason) for e in errors] == [
        (2, "address_line1", "longer than 256 characters")
    ]
