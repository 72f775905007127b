"""The deployment's checks on imported rows: a strategy it has, an address its gate covers."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from arrears.ingest import DeploymentChecks
from tests.ingest.helpers import row, run, scalar, write_csv


def _covered(country: str | None, *_place: str | None) -> str | None:
    if country is None:
        return "required under the profiles gate"
    return None if country in ("US", "GB") else f"no compliance profile covers country {country!r}"


def test_an_unknown_strategy_is_a_row_error_naming_the_known_ones(engine: Engine, tmp_path: Path) -> None:
    header = [*row(), "strategy"]
    rows = [row(strategy="b2b"), row(invoice_id="I2", strategy="b2b-ladr"), row(invoice_id="I3")]
    checks = DeploymentChecks(strategies=["b2b", "consumer"])
    report, errors = run(engine, write_csv(tmp_path / "s.csv", rows, header), checks=checks)
    assert [(e.line, e.field, e.record, e.reason) for e in errors] == [
        (3, "strategy", "I2", "unknown strategy 'b2b-ladr'; this deployment has: b2b, consumer")
    ]
    assert report.rows_imported == 2
    assert scalar(engine, "SELECT count(*) FROM invoices WHERE external_id = 'I2'") == 0


def test_an_uncovered_or_missing_country_is_a_row_error(engine: Engine, tmp_path: Path) -> None:
    rows = [
        row(),
        row(customer_id="C2", account_id="A2", invoice_id="I2", country="BR"),
        row(customer_id="C3", account_id="A3", invoice_id="I3", country=""),
        row(customer_id="C4", account_id="A4", invoice_id="I4", country="gb"),
    ]
    report, errors = run(
        engine, write_csv(tmp_path / "c.csv", rows), checks=DeploymentChecks(address=_covered)
    )
    assert [(e.line, e.field, e.record, e.reason) for e in errors] == [
        (3, "country", "I2", "no compliance profile covers country 'BR'"),
        (4, "country", "I3", "required under the profiles gate"),
    ]
    assert report.rows_imported == 2


def test_without_checks_nothing_is_checked(engine: Engine, tmp_path: Path) -> None:
    rows = [row(strategy="anything", country="BR")]
    report, errors = run(engine, write_csv(tmp_path / "n.csv", rows, [*row(), "strategy"]))
    assert errors == [] and report.rows_imported == 1
