"""`arrears import invoices` through the real CLI: summary, exit codes, errors file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from arrears.cli.main import app
from tests.ingest.helpers import row, scalar, write_csv

runner = CliRunner()


def test_clean_file_exits_zero_and_reimport_changes_nothing(database_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", [row(), row(invoice_id="I2")])
    first = runner.invoke(
        app, ["import", "invoices", str(path), "--database", database_url, "--source", "erp"]
    )
    assert first.exit_code == 0, first.output
    assert "2 rows read: 2 stored, 0 rejected" in first.output
    again = runner.invoke(
        app, ["import", "invoices", str(path), "--database", database_url, "--source", "erp", "--json"]
    )
    assert again.exit_code == 0
    summary = json.loads(again.stdout.strip().splitlines()[-1])
    assert summary["counts"]["invoices_unchanged"] == 2 and summary["counts"]["invoices_new"] == 0

    from arrears.store.db import make_engine

    engine = make_engine(database_url)
    assert scalar(engine, "SELECT count(*) FROM invoices WHERE source_system = 'erp'") == 2
    engine.dispose()


def test_rejected_rows_exit_one_and_go_to_the_errors_file(database_url: str, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "f.csv", [row(), row(invoice_id="I2", currency="ABC"), row(invoice_id="I3", amount="x")]
    )
    errors = tmp_path / "errors.jsonl"
    result = runner.invoke(
        app, ["import", "invoices", str(path), "--database", database_url, "--errors", str(errors)]
    )
    assert result.exit_code == 1
    written = [json.loads(line) for line in errors.read_text().splitlines()]
    assert [(e["line"], e["field"], e["record"]) for e in written] == [
        (3, "currency", "I2"),
        (4, "amount", "I3"),
    ]
    assert "line 3 (invoice I2): currency: unknown currency 'ABC'" in result.output


def test_unusable_file_exits_two(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("customer_id,amount\nC1,10\n")
    result = runner.invoke(app, ["import", "invoices", str(path), "--database", database_url])
    assert result.exit_code == 2
    assert "missing required columns" in result.output
