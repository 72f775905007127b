"""What the set-based batches must keep: duplicates across batches, merges inside one, failures, fast path."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

from arrears.ingest.cases import sync_batch_cases
from arrears.ingest.fast import FastValidator
from arrears.ingest.validate import validate_row
from arrears.store.models import AuditEntry, ContactPoint, Customer, Invoice
from tests.ingest.helpers import HEADER, dump, row, run, scalar, write_csv


def test_duplicates_in_later_batches_name_the_first_line(engine: Engine, tmp_path: Path) -> None:
    rows = [row(invoice_id="I1"), row(invoice_id="I2"), row(invoice_id="I3"), row(invoice_id="I1"),
            row(invoice_id="I1"), row(invoice_id="I2", balance="0")]  # fmt: skip
    report, errors = run(engine, write_csv(tmp_path / "f.csv", rows), batch_size=2)
    assert [(e.line, e.field) for e in errors] == [(5, "invoice_id"), (6, "invoice_id"), (7, "invoice_id")]
    assert ["first seen on line 2" in e.reason for e in errors] == [True, True, False]
    assert "first seen on line 3" in errors[2].reason
    assert (report.rows_imported, report.rows_rejected) == (3, 3)
    assert scalar(engine, "SELECT balance_minor FROM invoices WHERE external_id = 'I2'") == 123456


def test_a_batch_merges_its_rows_last_value_wins(engine: Engine, tmp_path: Path) -> None:
    header = [*HEADER, "segment"]
    rows = [
        row(invoice_id="I1", segment="retail", phone="+15550100001"),
        row(invoice_id="I2", segment="", phone="+15550100002", time_zone="Europe/Paris"),
        row(invoice_id="I3", segment="vip", phone="+15550100002", time_zone=""),
    ]
    run(engine, write_csv(tmp_path / "f.csv", rows, header=header))
    with engine.connect() as conn:
        customer = conn.execute(select(Customer.segment, Customer.time_zone)).one()
        phones = conn.execute(
            select(ContactPoint.value, ContactPoint.is_primary).where(ContactPoint.channel == "phone")
        ).all()
    assert tuple(customer) == ("vip", "Europe/Paris")
    assert sorted(phones) == [("+15550100001", True), ("+15550100002", False)]


def test_database_failure_rolls_back_only_its_batch(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [row(invoice_id=f"I{n}", account_id=f"A{n}", customer_id=f"C{n}") for n in range(6)]
    path = write_csv(tmp_path / "f.csv", rows)
    real = sync_batch_cases
    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OperationalError("INSERT INTO cases", {}, Exception("disk full"))
        return real(*args, **kwargs)

    monkeypatch.setattr("arrears.ingest.writer.sync_batch_cases", failing)
    report, _ = run(engine, path, batch_size=2)
    assert report.aborted is not None and report.aborted.startswith("lines 4-5:")
    assert "disk full" in report.aborted and "earlier batches are stored" in report.aborted
    assert report.rows_imported == 2 and not report.ok
    with engine.connect() as conn:
        assert set(conn.scalars(select(Invoice.external_id))) == {"I0", "I1"}
        assert conn.scalar(select(AuditEntry.id).where(AuditEntry.action == "import.batch")) is not None
    assert scalar(engine, "SELECT count(*) FROM cases") == 2
    assert scalar(engine, "SELECT count(*) FROM customers") == 2

    monkeypatch.setattr("arrears.ingest.writer.sync_batch_cases", real)
    again, _ = run(engine, path, batch_size=2)
    assert again.ok and again.counts["invoices_new"] == 4 and again.counts["invoices_unchanged"] == 2
    assert scalar(engine, "SELECT count(*) FROM cases") == 6


def test_reimport_with_other_batch_sizes_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    rows = [row(invoice_id=f"I{n}", account_id=f"A{n % 4}", customer_id=f"C{n % 4}",
                email_consent="no" if n % 4 else "yes", balance="0" if n % 5 == 0 else "1234.56")
            for n in range(20)]  # fmt: skip
    path = write_csv(tmp_path / "f.csv", rows)
    run(engine, path, batch_size=7)
    before = dump(engine)
    report, _ = run(engine, path, batch_size=3)
    assert dump(engine) == before
    assert report.counts["invoices_unchanged"] == 20


GOOD = row(customer_kind="Person", country="us", currency="eur", phone="+1 (555) 010-0001", locale="fr-FR",
           email_consent="yes", agency_placement_allowed="no", invoice_number="")  # fmt: skip
VARIANTS: list[dict[str, str]] = [
    {},
    {"amount": "1,234.56"},
    {"amount": " 12.5 ", "balance": "12.50"},
    {"amount": "12.345"},
    {"balance": "-1"},
    {"currency": "JPY", "amount": "5000", "balance": "10"},
    {"currency": "XYZ"},
    {"due_on": "2026-08-01"},
    {"issued_on": "2026-02-30"},
    {"issued_on": "2026-9-01"},
    {"customer_id": ""},
    {"customer_name": " "},
    {"customer_kind": "alien"},
    {"phone": "020 7946 0958", "country": "GB"},
    {"phone": "not a phone"},
    {"phone": "", "sms_consent": "yes"},
    {"email": "nobody"},
    {"time_zone": "Mars/Base"},
    {"locale": "english!"},
    {"country": "USA"},
    {"phone_kind": "fax"},
    {"sms_consent": "maybe"},
    {"agency_placement_allowed": "perhaps"},
    {"invoice_id": "X" * 129},
    {"customer_name": "N\ufffd"},
    {"email_consent": "no", "sms_consent": "", "phone_kind": ""},
]


@pytest.mark.parametrize("change", VARIANTS, ids=lambda change: ",".join(change) or "good")
def test_fast_path_agrees_with_the_thorough_rules(change: dict[str, str]) -> None:
    header = [*HEADER, "locale"]
    values = GOOD | change
    record = [values.get(name, "") for name in header]
    fast = FastValidator(header)
    assert fast.validate(7, record) == validate_row(7, dict(zip(header, record, strict=True)))
    assert fast.validate(8, record) == validate_row(8, dict(zip(header, record, strict=True)))  # cached


def test_in_memory_sqlite_keeps_the_connection_on_the_calling_thread(tmp_path: Path) -> None:
    """Reading runs on its own thread; the connection (a per-thread one for in-memory SQLite) never does."""
    from arrears.store.db import make_engine
    from arrears.store.migrate import upgrade

    engine = make_engine("sqlite://")
    upgrade(engine)
    report, errors = run(engine, write_csv(tmp_path / "f.csv", [row(), row(invoice_id="I2")]), batch_size=1)
    assert report.ok and errors == [] and report.rows_imported == 2
    assert scalar(engine, "SELECT count(*) FROM invoices") == 2
    engine.dispose()


def test_a_reading_failure_reaches_the_caller(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", [row(invoice_id=f"I{n}") for n in range(5)])

    class Broken(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() > 200:
                raise OSError("device gone")
            return super().read(size if size is None or size < 0 else min(size, 64))

    with pytest.raises(OSError, match="device gone"):
        run(engine, Broken(path.read_bytes()), batch_size=1)  # type: ignore[arg-type]
