"""`arrears import invoices` through the real CLI: summary, exit codes, errors file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from arrears.cli.main import app
from tests.ingest.helpers import row, scalar, write_csv, write_jsonl

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


DATA = Path(__file__).parent / "data"


def test_a_preset_mapping_imports_an_export_and_says_how_it_read_it(database_url: str) -> None:
    path = DATA / "quickbooks-ar-aging-detail.csv"
    args = ["import", "invoices", str(path), "--database", database_url, "--mapping", "quickbooks-aging"]
    result = runner.invoke(app, [*args, "--country", "US"])
    assert result.exit_code == 1, result.output  # three bad rows in the export
    assert "7 rows read: 4 stored, 3 rejected" in result.output
    assert "read as utf-8 (BOM), comma separated, through mapping quickbooks-aging; 11 rows" in result.output
    assert 'line 16 (invoice 1025): column "Due Date" (due_on): expected a date' in result.output


def test_under_the_profiles_gate_a_row_needs_a_covered_country(database_url: str) -> None:
    path = DATA / "quickbooks-ar-aging-detail.csv"
    args = ["import", "invoices", str(path), "--database", database_url, "--mapping", "quickbooks-aging"]
    result = runner.invoke(app, args)
    assert "4 stored" not in result.output and "0 stored" in result.output
    assert "line 7 (invoice 1061): country: required under the profiles gate" in result.output
    xero = DATA / "xero-sales-invoices.csv"
    result = runner.invoke(
        app,
        ["import", "invoices", str(xero), "--database", database_url, "--mapping", "xero-aged-receivables"],
    )
    assert (
        'line 5 (invoice INV-0103): column "POCountry" (country): no compliance profile covers country '
        "'NZ'" in result.output
    )


def test_options_override_the_mapping(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    header = (
        "customer_id;customer_name;account_id;invoice_id;currency;amount;balance;issued_on;due_on;country"
    )
    path.write_text(f"{header}\nC1;Ann;A1;I1;USD;10.00;10.00;13.09.2026;13.10.2026;US\n", encoding="cp1252")
    args = ["import", "invoices", str(path), "--database", database_url, "--date-format", "DD.MM.YYYY"]
    result = runner.invoke(app, [*args, "--encoding", "cp1252"])
    assert result.exit_code == 0, result.output
    assert "read as cp1252 (given), semicolon separated, through mapping (options)" in result.output


def test_an_unknown_strategy_names_the_known_ones(database_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", [row(strategy="b2b-ladr")], [*row(), "strategy"])
    result = runner.invoke(app, ["import", "invoices", str(path), "--database", database_url])
    assert result.exit_code == 1
    assert (
        "line 2 (invoice I1): strategy: unknown strategy 'b2b-ladr'; this deployment has: " in result.output
    )


def test_mappings_are_listed_and_a_wrong_one_is_refused(database_url: str, tmp_path: Path) -> None:
    listed = runner.invoke(app, ["import", "mappings"])
    assert listed.exit_code == 0 and "quickbooks-aging: QuickBooks Online A/R Aging Detail" in listed.output
    shown = runner.invoke(app, ["import", "mappings", "--show", "xero-aged-receivables"])
    assert shown.exit_code == 0 and "line_items: true" in shown.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  invoice: Num\n", encoding="utf-8")
    path = DATA / "quickbooks-ar-aging-detail.csv"
    result = runner.invoke(
        app, ["import", "invoices", str(path), "--database", database_url, "--mapping", str(bad)]
    )
    assert result.exit_code == 2
    assert f"{bad}:2: columns: unknown import columns: invoice" in result.output


def test_country_option_fills_blank_countries_of_json_lines(database_url: str, tmp_path: Path) -> None:
    rows = [row(country=""), row(customer_id="C2", account_id="A2", invoice_id="I2", country="GB")]
    path = write_jsonl(tmp_path / "f.jsonl", rows)
    result = runner.invoke(
        app, ["import", "invoices", str(path), "--database", database_url, "--country", "us"]
    )
    assert result.exit_code == 0, result.output

    from arrears.store.db import make_engine

    engine = make_engine(database_url)
    assert scalar(engine, "SELECT country FROM customers WHERE external_id = 'C1'") == "US"
    assert scalar(engine, "SELECT country FROM customers WHERE external_id = 'C2'") == "GB"
    engine.dispose()
    refused = runner.invoke(
        app, ["import", "invoices", str(path), "--database", database_url, "--mapping", "stripe-invoices"]
    )
    assert refused.exit_code == 2 and "JSON lines take only defaults" in refused.output
