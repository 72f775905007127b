"""Exports as QuickBooks, Xero and Stripe write them, imported with their presets on SQLite and PostgreSQL:
every good row stored exactly, every bad one named by line, our column, the export's column and value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from arrears.ingest import DeploymentChecks, ImportFileError, load_mapping
from arrears.store.models import Customer, Invoice
from tests.ingest.helpers import dump, run

DATA = Path(__file__).parent / "data"


def _invoices(engine: Engine) -> dict[str, tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Invoice.external_id,
                Invoice.number,
                Invoice.currency,
                Invoice.amount_minor,
                Invoice.balance_minor,
                Invoice.issued_on,
                Invoice.due_on,
                Invoice.status,
            )
        )
        return {r[0]: (r[1], r[2], r[3], r[4], r[5].isoformat(), r[6].isoformat(), r[7]) for r in rows}


def _customers(engine: Engine) -> dict[str, tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Customer.external_id,
                Customer.name,
                Customer.kind,
                Customer.country,
                Customer.city,
                Customer.address_line1,
                Customer.address_line2,
            )
        )
        return {r[0]: tuple(r[1:]) for r in rows}


def _errors(errors: list[Any]) -> list[tuple[Any, ...]]:
    return [(e.line, e.field, e.column, e.record, e.reason) for e in errors]


def test_quickbooks_aging_detail_imports_untouched(engine: Engine) -> None:
    path = DATA / "quickbooks-ar-aging-detail.csv"
    report, errors = run(engine, path, mapping=load_mapping("quickbooks-aging"))

    assert _invoices(engine) == {
        "1061": ("1061", "USD", 48000, 48000, "2026-11-02", "2026-12-02", "open"),
        "1042": ("1042", "USD", 123450, 123450, "2026-10-01", "2026-10-31", "open"),
        "1040": ("1040", "USD", 250000, 125075, "2026-09-28", "2026-10-28", "open"),
        "1023": ("1023", "USD", 1200000, 1200000, "2026-08-15", "2026-09-14", "open"),
    }
    assert _customers(engine) == {
        "Acme Corp": ("Acme Corp", "business", None, None, None, None),
        "Smith, Jones & Co": ("Smith, Jones & Co", "business", None, None, None, None),
        "Globex Inc": ("Globex Inc", "business", None, None, None, None),
    }
    assert _errors(errors) == [
        (16, "due_on", "Due Date", "1025",
         "expected a date like MM/DD/YYYY or YYYY-MM-DD, got '31/09/2026'"),
        (17, "amount", "Amount", "1026", "expected an amount like 1,234.50, got '$1,23x.00'"),
        (20, "amount", "Amount", "1007", "negative amount '-50.00'"),
    ]  # fmt: skip
    # Titles, bucket lines, subtotals, the payment line, TOTAL and the footer are not data.
    assert (report.rows_read, report.rows_imported, report.rows_rejected, report.rows_skipped) == (
        7,
        4,
        3,
        11,
    )
    assert (report.encoding, report.delimiter, report.mapping) == ("utf-8 (BOM)", "comma", "quickbooks-aging")
    assert report.ignored_columns == ["Past Due"]
    assert 'line 16 (invoice 1025): column "Due Date" (due_on): expected a date' in str(errors[0])


def test_xero_export_in_cp1252_with_line_items_and_uk_dates(engine: Engine) -> None:
    path = DATA / "xero-sales-invoices.csv"
    report, errors = run(engine, path, mapping=load_mapping("xero-aged-receivables"))

    assert _invoices(engine) == {
        # Two line items, one invoice: its totals once.
        "INV-0101": ("INV-0101", "GBP", 144000, 144000, "2026-09-05", "2026-10-05", "open"),
        "INV-0102": ("INV-0102", "EUR", 85000, 50000, "2026-09-01", "2026-10-01", "open"),
        "INV-0103": ("INV-0103", "NZD", 30000, 30000, "2026-08-12", "2026-09-12", "open"),
    }
    customers = _customers(engine)
    assert customers["Café Rouge Ltd"] == (
        "Café Rouge Ltd", "business", "GB", "Bristol", "12 Market Street", "Unit 4",
    )  # fmt: skip
    assert customers["Müller & Söhne GmbH"] == (
        "Müller & Söhne GmbH", "business", "DE", "München", "Hauptstraße 5", None,
    )  # fmt: skip
    assert customers["Harbour Cafe"][2] == "NZ"  # "New Zealand" as written in POCountry
    assert _errors(errors) == [
        (7, "issued_on", "InvoiceDate", "INV-0105",
         "expected a date like DD/MM/YYYY or D MMM YYYY or YYYY-MM-DD, got '10/13/2026'"),
    ]  # fmt: skip
    assert report.encoding == "cp1252 (detected)"
    assert report.rows_skipped == 2  # the second line item of INV-0101, and the draft


def test_stripe_export_saved_as_utf16_tab_text(engine: Engine) -> None:
    path = DATA / "stripe-invoices-excel-unicode.txt"
    report, errors = run(engine, path, mapping=load_mapping("stripe-invoices"))

    assert _invoices(engine) == {
        "in_1QAbCdEfGh": ("7A1B2C3D-0001", "USD", 12500, 12500, "2026-09-05", "2026-10-05", "open"),
        "in_1QAbCdEfGi": ("7A1B2C3D-0002", "USD", 12500, 0, "2026-08-05", "2026-09-05", "paid"),
        "in_1QAbCdEfGj": ("in_1QAbCdEfGj", "GBP", 100050, 100050, "2026-09-20", "2026-10-20", "open"),
        "in_1QAbCdEfGl": ("7A1B2C3D-0003", "USD", 8000, 8000, "2026-09-10", "2026-10-10", "open"),
    }
    assert _customers(engine)["cus_R1a2b3c4"][:3] == ("Ana López", "person", "US")
    assert _errors(errors) == [
        (7, "amount", "Total", "in_1QAbCdEfGm", "expected an amount like 1,234.50, got 'abc'"),
    ]
    assert (report.encoding, report.delimiter, report.rows_skipped) == ("utf-16 (BOM)", "tab", 1)


def test_reimporting_a_mapped_export_changes_nothing(engine: Engine) -> None:
    path = DATA / "quickbooks-ar-aging-detail.csv"
    run(engine, path, mapping=load_mapping("quickbooks-aging"))
    before = dump(engine)
    report, _ = run(engine, path, mapping=load_mapping("quickbooks-aging"))
    assert report.counts["invoices_unchanged"] == 4 and report.counts["invoices_new"] == 0
    assert dump(engine) == before


def test_deployment_checks_name_the_exports_column(engine: Engine) -> None:
    covered = {"GB", "DE", "US"}

    def address(country: str | None, *_rest: str | None) -> str | None:
        return None if country in covered else f"no compliance profile covers country {country!r}"

    checks = DeploymentChecks(strategies=["b2b"], address=address)
    path = DATA / "xero-sales-invoices.csv"
    report, errors = run(engine, path, mapping=load_mapping("xero-aged-receivables"), checks=checks)
    assert report.rows_imported == 2
    assert [(e.line, e.field, e.column, e.record) for e in errors] == [
        (5, "country", "POCountry", "INV-0103"),
        (7, "issued_on", "InvoiceDate", "INV-0105"),
    ]
    assert "INV-0103" not in _invoices(engine)


def test_an_export_the_mapping_does_not_fit_is_refused_as_a_whole(engine: Engine) -> None:
    stripe = DATA / "stripe-invoices-excel-unicode.txt"
    with pytest.raises(
        ImportFileError, match=r"no header row found in the first lines .*; Num or No\. or Invoice No\.;"
    ):
        run(engine, stripe, mapping=load_mapping("quickbooks-aging"))
    quickbooks = DATA / "quickbooks-ar-aging-detail.csv"
    with pytest.raises(
        ImportFileError,
        match=r"line 1: no column 'Customer' or 'Customer ID' for customer_id in the header \(A/R Aging",
    ):
        run(engine, quickbooks, mapping=load_mapping("stripe-invoices"))
    assert _invoices(engine) == {}


def test_a_users_own_mapping_for_a_european_export(engine: Engine, tmp_path: Path) -> None:
    mapping = tmp_path / "erp.yaml"
    mapping.write_text(
        "name: erp\n"
        "columns:\n"
        "  customer_id: Kundennr.\n"
        "  customer_name: Name\n"
        "  account_id: Kundennr.\n"
        "  invoice_id: Beleg\n"
        "  issued_on: Datum\n"
        "  due_on: Fällig\n"
        "  amount: Betrag\n"
        "  balance: Offen\n"
        "  currency: {value: EUR}\n"
        "dates: [DD.MM.YYYY]\n"
        "decimal: ','\n"
        "thousands: '.'\n"
        "defaults: {country: Germany, customer_kind: business}\n",
        encoding="utf-8",
    )
    export = tmp_path / "offene-posten.csv"
    export.write_text(
        "Kundennr.;Name;Beleg;Datum;Fällig;Betrag;Offen\n"
        "K-1;Müller GmbH;R-100;01.09.2026;01.10.2026;1.234,50 €;1.000,00 €\n"
        "K-2;Schmidt AG;R-101;31.09.2026;31.10.2026;10,00 €;10,00 €\n",
        encoding="utf-8",
    )
    report, errors = run(engine, export, mapping=load_mapping(str(mapping)))
    assert _invoices(engine) == {
        "R-100": ("R-100", "EUR", 123450, 100000, "2026-09-01", "2026-10-01", "open")
    }
    assert _customers(engine)["K-1"][:3] == ("Müller GmbH", "business", "DE")
    assert _errors(errors) == [
        (3, "issued_on", "Datum", "R-101", "expected a date like DD.MM.YYYY, got '31.09.2026'"),
    ]
    assert (report.delimiter, report.mapping) == ("semicolon", "erp")


def test_broken_quoting_in_an_export_costs_only_its_row(engine: Engine, tmp_path: Path) -> None:
    source = (DATA / "quickbooks-ar-aging-detail.csv").read_bytes()
    broken = source.replace(b'"Globex Inc"', b'"Globex "Inc"')
    path = tmp_path / "broken.csv"
    path.write_bytes(broken)
    report, errors = run(engine, path, mapping=load_mapping("quickbooks-aging"))
    assert errors[0].line == 15 and errors[0].reason.startswith("malformed CSV")
    assert sorted(_invoices(engine)) == ["1040", "1042", "1061"]
    assert report.rows_imported == 3


def test_quickbooks_desktops_layout_reads_with_the_same_preset(engine: Engine) -> None:
    path = DATA / "quickbooks-desktop-ar-aging-detail.csv"
    report, errors = run(engine, path, mapping=load_mapping("quickbooks-aging"))
    assert errors == [] and report.notes == []
    assert _invoices(engine) == {
        "2201": ("2201", "USD", 105000, 105000, "2026-11-02", "2026-12-02", "open"),
        "2187": ("2187", "USD", 240000, 240000, "2026-09-15", "2026-10-15", "open"),
    }
    assert report.rows_skipped == 6  # two bucket lines, two subtotals, TOTAL, the credit memo
    assert report.ignored_columns == ["P. O. #", "Terms", "Aging"]
