"""One bad row never sinks its batch: what the store cannot hold is a row error naming line and field, a
row the database still refuses is retried alone, and a stored invoice's currency never changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.ingest.helpers import row, run, scalar, write_csv, write_jsonl

_ROWS = 1_000
_BAD_AT = 500  # the bad row's index; its line is index + 2 (after the header)


def _thousand(**bad: str) -> list[dict[str, str]]:
    rows = [row(invoice_id=f"I{n}", account_id=f"A{n}", customer_id=f"C{n}") for n in range(_ROWS)]
    rows[_BAD_AT] |= bad
    return rows


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"amount": "1" + "0" * 30, "balance": "1"}, "amount"),
        ({"amount": "92233720368547758.08", "balance": "1"}, "amount"),
        ({"balance": "9" * 5000}, "balance"),
        ({"customer_name": "Ada\x00Lovelace"}, "customer_name"),
        ({"city": "Paris\x00"}, "city"),
        ({"invoice_number": "N\x00"}, "invoice_number"),
        ({"customer_name": "A" * 257}, "customer_name"),
        ({"time_zone": "Europe/" + "a" * 300}, "time_zone"),
    ],
)
def test_one_bad_row_of_a_thousand_is_reported_and_the_rest_stored(
    engine: Engine, tmp_path: Path, bad: dict[str, str], field: str
) -> None:
    path = write_csv(tmp_path / "f.csv", _thousand(**bad), header=[*row(), "city"])
    report, errors = run(engine, path)
    assert {(e.line, e.field) for e in errors} == {(_BAD_AT + 2, field)}
    assert (report.rows_imported, report.rows_rejected, report.aborted) == (_ROWS - 1, 1, None)
    assert scalar(engine, "SELECT count(*) FROM invoices") == _ROWS - 1


def test_the_error_names_the_limit(engine: Engine, tmp_path: Path) -> None:
    _, errors = run(engine, write_csv(tmp_path / "f.csv", [row(amount="10000000000000.01", balance="1")]))
    assert [e.field for e in errors] == ["amount"]
    assert "maximum of 10000000000000.00 EUR" in errors[0].reason
    report, _ = run(engine, write_csv(tmp_path / "g.csv", [row(amount="10000000000000.00", balance="1")]))
    assert report.rows_imported == 1


def test_a_lone_surrogate_in_a_json_line_is_a_row_error(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    write_jsonl(path, [row(invoice_id="I1"), row(invoice_id="I2", account_id="A2", customer_id="C2")])
    path.write_text(path.read_text().replace("Acme Ltd", "Acme \\ud800", 1))
    report, errors = run(engine, path)
    assert [(e.line, e.field) for e in errors] == [(1, "customer_name")]
    assert report.rows_imported == 1


def _refuse_invoices(engine: Engine, invoices: list[str]) -> None:
    """A rule only the database knows (a trigger), so validation cannot see it coming."""
    listed = ", ".join(f"'{invoice}'" for invoice in invoices)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(
                text(
                    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    f" IF NEW.external_id IN ({listed}) THEN RAISE EXCEPTION 'refused'; END IF;"
                    " RETURN NEW; END $$"
                )
            )
            conn.execute(
                text("CREATE TRIGGER refuse BEFORE INSERT ON invoices FOR EACH ROW EXECUTE FUNCTION refuse()")
            )
        else:
            conn.execute(
                text(
                    f"CREATE TRIGGER refuse BEFORE INSERT ON invoices WHEN NEW.external_id IN ({listed})"
                    " BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )


def _drop_refusal(engine: Engine) -> None:
    """The PostgreSQL database outlives the test (one per session): a trigger left behind would refuse
    these invoices in every later test that imports them."""
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER IF EXISTS refuse" + (" ON invoices" if _pg(engine) else "")))
        if _pg(engine):
            conn.execute(text("DROP FUNCTION IF EXISTS refuse()"))


def _pg(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def test_a_batch_the_database_refuses_is_written_again_in_halves(
    engine: Engine, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    bad = [10, _BAD_AT, _BAD_AT + 1]  # two in one batch, side by side, and one in another batch
    _refuse_invoices(engine, [f"I{n}" for n in bad])
    request.addfinalizer(lambda: _drop_refusal(engine))
    report, errors = run(engine, write_csv(tmp_path / "f.csv", _thousand()), batch_size=400)
    assert [(e.line, e.field, e.record) for e in errors] == [(n + 2, "row", f"I{n}") for n in bad]
    assert all("the database refused this row" in e.reason for e in errors)
    assert (report.rows_imported, report.rows_rejected, report.aborted) == (_ROWS - 3, 3, None)
    assert scalar(engine, "SELECT count(*) FROM invoices") == _ROWS - 3
    assert scalar(engine, "SELECT count(*) FROM cases") == _ROWS - 3


def test_an_import_cannot_change_a_stored_invoice_currency(engine: Engine, tmp_path: Path) -> None:
    run(engine, write_csv(tmp_path / "a.csv", [row(invoice_id="I1"), row(invoice_id="I2")]))
    changed = [row(invoice_id="I1", currency="USD"), row(invoice_id="I2", balance="1.00")]
    report, errors = run(engine, write_csv(tmp_path / "b.csv", changed))
    assert [(e.line, e.field, e.reason) for e in errors] == [
        (2, "currency", "invoice is in EUR; its currency cannot change")
    ]
    assert scalar(engine, "SELECT currency FROM invoices WHERE external_id = 'I1'") == "EUR"
    assert scalar(engine, "SELECT balance_minor FROM invoices WHERE external_id = 'I2'") == 100
    assert report.rows_imported == 1


def test_a_field_past_the_csv_reader_default_still_names_its_column(engine: Engine, tmp_path: Path) -> None:
    rows = [row(invoice_id="I1", customer_name="A" * 200_000), row(invoice_id="I2")]
    report, errors = run(engine, write_csv(tmp_path / "f.csv", rows))
    assert [(e.line, e.field, e.reason) for e in errors] == [
        (2, "customer_name", "longer than 256 characters")
    ]
    assert report.rows_imported == 1


def test_a_date_time_before_year_one_in_utc_is_a_row_error(engine: Engine, tmp_path: Path) -> None:
    rows = [row(invoice_id="I1", consent_at="0001-01-01T00:00:00+01:00"), row(invoice_id="I2")]
    report, errors = run(engine, write_csv(tmp_path / "f.csv", rows, header=[*row(), "consent_at"]))
    assert [(e.line, e.field) for e in errors] == [(2, "consent_at")]
    assert report.rows_imported == 1
