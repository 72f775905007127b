"""Invoice import on SQLite and PostgreSQL: good rows stored, bad rows named, re-import a no-op."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from arrears.core.clock import SimulatedClock
from arrears.ingest import ImportFileError
from arrears.store.models import Account, Case, Consent, ContactPoint, Customer, Invoice
from tests.ingest.helpers import NOW, dump, row, run, scalar, write_csv, write_jsonl


def _invoices(engine: Engine) -> dict[str, tuple[int, int, str]]:
    with engine.connect() as conn:
        found = conn.execute(
            select(Invoice.external_id, Invoice.amount_minor, Invoice.balance_minor, Invoice.status)
        )
        return {ext: (amount, balance, status) for ext, amount, balance, status in found}


def test_good_file_stores_everything_and_opens_cases(engine: Engine, tmp_path: Path) -> None:
    rows = [
        row(),
        row(invoice_id="I2", invoice_number="INV-2", amount="100", balance="0"),
        row(customer_id="C2", customer_name="Bo", customer_kind="person", account_id="A2", invoice_id="I3",
            currency="JPY", amount="5000", balance="5000", due_on="2026-12-30", phone="", sms_consent="",
            email="bo@example.org", email_consent="yes", time_zone="Asia/Tokyo", country="JP"),
    ]  # fmt: skip
    report, errors = run(engine, write_csv(tmp_path / "good.csv", rows))

    assert errors == []
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (3, 3, 0)
    assert report.ok
    assert _invoices(engine) == {
        "I1": (123456, 123456, "open"),
        "I2": (10000, 0, "paid"),
        "I3": (5000, 5000, "open"),
    }
    assert report.counts["customers_new"] == 2 and report.counts["accounts_new"] == 2
    with engine.connect() as conn:
        customer = conn.execute(select(Customer).where(Customer.external_id == "C1")).one()
        assert (customer.kind, customer.time_zone, customer.country) == ("business", "America/New_York", "US")
        points = set(conn.execute(select(ContactPoint.channel, ContactPoint.value, ContactPoint.kind)))
        assert points == {
            ("email", "ap@acme.example", "personal"),
            ("phone", "+15550100001", "work"),
            ("email", "bo@example.org", "personal"),
        }
        consents = set(conn.execute(select(Consent.channel, Consent.destination, Consent.source)))
        assert consents == {
            ("sms", "+15550100001", "import:import"),
            ("email", "bo@example.org", "import:import"),
        }
        assert conn.execute(
            select(Account.agency_placement_allowed).where(Account.external_id == "A1")
        ).scalar()
        # A1 is overdue (due 2026-10-01): a case on the open balance; A2 is not due yet: no case.
        cases = conn.execute(
            select(Case.balance_minor, Case.oldest_due_on, Case.strategy_name, Case.status)
        ).all()
    assert [(c.balance_minor, c.oldest_due_on.isoformat(), c.strategy_name, c.status) for c in cases] == [
        (123456, "2026-10-01", "b2b", "open")
    ]


def test_every_bad_row_is_named_and_good_rows_are_stored(engine: Engine, tmp_path: Path) -> None:
    rows = [
        row(invoice_id="OK1"),
        row(invoice_id="B1", currency="XYZ"),  # line 3
        row(invoice_id="B2", amount="-5"),  # line 4
        row(invoice_id="B3", balance="ten"),  # line 5
        row(invoice_id="B4", amount="10", balance="20"),  # line 6
        row(invoice_id="B5", due_on="2026-02-30"),  # line 7
        row(invoice_id="OK1"),  # line 8: duplicate
        row(invoice_id="B7", customer_id=""),  # line 9
        row(invoice_id="B8", time_zone="Mars/Olympus"),  # line 10
        row(invoice_id="B9", phone="call me"),  # line 11
        row(invoice_id="B10", amount="1.234"),  # line 12: too many decimals for EUR
        row(invoice_id="OK2"),  # line 13
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("C1,Acme,business\n")  # line 14: too few fields
        handle.write('C1,"Acme,business,x\n')  # line 15: unterminated quote runs to the end
    report, errors = run(engine, path)

    named = {(e.line, e.field) for e in errors}
    assert named == {
        (3, "currency"),
        (4, "amount"),
        (5, "balance"),
        (6, "balance"),
        (7, "due_on"),
        (8, "invoice_id"),
        (9, "customer_id"),
        (10, "time_zone"),
        (11, "phone"),
        (11, "sms_consent"),  # consent needs a valid destination on the row
        (12, "amount"),
        (14, ""),
        (15, ""),
    }
    by_line = {e.line: e for e in errors}
    assert "XYZ" in by_line[3].reason and by_line[3].record == "B1"
    assert "first seen on line 2" in by_line[8].reason
    assert "greater than amount" in by_line[6].reason
    assert "call me" not in by_line[11].reason  # personal values are not echoed
    assert set(_invoices(engine)) == {"OK1", "OK2"}
    assert (report.rows_imported, report.rows_rejected) == (2, 12)
    assert not report.ok


def test_same_file_twice_leaves_identical_state(engine: Engine, tmp_path: Path) -> None:
    rows = [row(invoice_id=f"I{n}", account_id=f"A{n % 3}", customer_id=f"C{n % 3}") for n in range(12)]
    rows += [row(invoice_id="P1", account_id="A9", customer_id="C9", balance="0")]
    path = write_csv(tmp_path / "file.csv", rows)
    first, _ = run(engine, path, batch_size=5)
    before = dump(engine)
    second, _ = run(engine, path, batch_size=5, clock=SimulatedClock(NOW + timedelta(hours=1)))

    assert dump(engine) == before
    assert second.counts["invoices_unchanged"] == 13
    assert sum(v for k, v in second.counts.items() if k != "invoices_unchanged") == 0
    assert first.counts["invoices_new"] == 13


def test_changed_balance_updates_invoice_and_case_and_zero_closes_it(engine: Engine, tmp_path: Path) -> None:
    run(engine, write_csv(tmp_path / "v1.csv", [row(), row(invoice_id="I2", amount="50", balance="50")]))
    assert scalar(engine, "SELECT balance_minor FROM cases WHERE status = 'open'") == 128456

    later = SimulatedClock(NOW + timedelta(days=1))
    v2 = [row(balance="1000"), row(invoice_id="I2", amount="50", balance="50")]
    report, _ = run(engine, write_csv(tmp_path / "v2.csv", v2), clock=later)
    assert (report.counts["invoices_updated"], report.counts["invoices_unchanged"]) == (1, 1)
    assert _invoices(engine)["I1"] == (123456, 100000, "open")
    assert scalar(engine, "SELECT balance_minor FROM cases WHERE status = 'open'") == 105000
    audit = scalar(engine, "SELECT count(*) FROM audit_log WHERE action = 'invoice.updated'")
    assert audit == 1

    v3 = [row(balance="0"), row(invoice_id="I2", amount="50", balance="0")]
    report, _ = run(engine, write_csv(tmp_path / "v3.csv", v3), clock=later)
    assert {k: v[2] for k, v in _invoices(engine).items()} == {"I1": "paid", "I2": "paid"}
    assert report.counts["cases_closed"] == 1
    assert scalar(engine, "SELECT status || ':' || close_reason FROM cases") == "closed:settled"


def test_jsonl_gives_the_same_state_as_csv(database_url: str, tmp_path: Path) -> None:
    from arrears.store.db import make_engine

    rows = [
        row(),
        row(invoice_id="I2", balance="0", amount="12.5"),
        row(customer_id="C2", account_id="A2", invoice_id="I3"),
    ]
    csv_engine = make_engine(database_url)
    run(csv_engine, write_csv(tmp_path / "f.csv", rows), source="csv")
    run(csv_engine, write_jsonl(tmp_path / "f.jsonl", rows), source="jsonl")
    columns = (
        Invoice.external_id,
        Invoice.amount_minor,
        Invoice.balance_minor,
        Invoice.status,
        Invoice.due_on,
    )
    query = (
        select(*columns, Customer.external_id, Customer.name, Customer.time_zone)
        .join(Account, Account.id == Invoice.account_id)
        .join(Customer, Customer.id == Account.customer_id)
    )
    with csv_engine.connect() as conn:
        state = {
            source: sorted(conn.execute(query.where(Invoice.source_system == source)).all())
            for source in ("csv", "jsonl")
        }
    csv_engine.dispose()
    assert state["csv"] == state["jsonl"] and len(state["csv"]) == 3


def test_jsonl_numbers_and_errors(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(
        '{"customer_id": 7, "customer_name": "Seven", "account_id": "A7", "invoice_id": "I7",'
        ' "currency": "EUR", "amount": 10.10, "balance": 0.1,'
        ' "issued_on": "2026-09-01", "due_on": "2026-10-01"}\n'
        "not json\n"
        "[1, 2]\n"
        '{"customer_id": {"nested": 1}}\n'
    )
    _, errors = run(engine, path)
    assert _invoices(engine) == {"I7": (1010, 10, "open")}  # exact decimals, never floats
    assert [(e.line, e.field) for e in errors] == [(2, ""), (3, ""), (4, "customer_id")]


def test_missing_required_column_rejects_the_file(engine: Engine, tmp_path: Path) -> None:
    header = ["customer_id", "customer_name", "account_id", "invoice_id", "currency", "amount", "issued_on"]
    path = write_csv(tmp_path / "f.csv", [], header=header)
    with pytest.raises(ImportFileError, match="balance, due_on"):
        run(engine, path)


def test_ownership_conflicts_are_rejected_not_moved(engine: Engine, tmp_path: Path) -> None:
    run(engine, write_csv(tmp_path / "a.csv", [row()]))
    rows = [
        row(customer_id="C2", invoice_id="I5"),  # A1 belongs to C1
        row(customer_id="C3", account_id="A3", invoice_id="I1"),  # I1 belongs to A1
        row(customer_id="C4", account_id="A4", invoice_id="I6"),
        row(customer_id="C5", account_id="A4", invoice_id="I7"),  # A4 claimed by C4 two lines up
    ]
    report, errors = run(engine, write_csv(tmp_path / "b.csv", rows))
    assert [(e.line, e.field) for e in errors] == [(2, "account_id"), (3, "account_id"), (5, "account_id")]
    assert set(_invoices(engine)) == {"I1", "I6"}
    assert report.rows_rejected == 3


def test_consent_withdrawn_revokes_and_blank_fields_keep_stored_values(
    engine: Engine, tmp_path: Path
) -> None:
    run(engine, write_csv(tmp_path / "a.csv", [row(email_consent="yes")]))
    report, _ = run(
        engine, write_csv(tmp_path / "b.csv", [row(email_consent="no", time_zone="", country="")])
    )
    assert report.counts["consents_revoked"] == 1
    with engine.connect() as conn:
        revoked = conn.execute(select(Consent.channel).where(Consent.revoked_at.is_not(None))).scalars().all()
        zone = conn.execute(select(Customer.time_zone)).scalar_one()
    assert revoked == ["email"]
    assert zone == "America/New_York"


def test_small_batches_report_bad_rows_in_file_order(engine: Engine, tmp_path: Path) -> None:
    """Batches close on records read, so a run of bad rows is reported (in order) batch by batch."""
    rows = [row(invoice_id=f"B{n}", currency="XYZ") for n in range(5)] + [row(invoice_id="OK")]
    report, errors = run(engine, write_csv(tmp_path / "f.csv", rows), batch_size=2)
    assert [(e.line, e.field) for e in errors] == [(line, "currency") for line in range(2, 7)]
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (6, 1, 5)
    assert set(_invoices(engine)) == {"OK"}


def test_row_ids_keep_the_id_shape_and_grow_with_time() -> None:
    import time

    from arrears.ingest.sql import row_id

    first = row_id()
    time.sleep(0.002)
    second = row_id()
    assert len(first) == len(second) == 32 and int(first, 16) >= 0
    assert first[:12] < second[:12]  # millisecond prefix: inserts append at the end of each index
