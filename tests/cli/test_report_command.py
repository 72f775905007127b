"""`arrears report` on a SQLite file: one JSON object with --json, tables otherwise, one line if refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arrears.cli.main import app
from arrears.store.db import make_engine, session_factory, transaction
from tests.metrics.portfolio import load_portfolio

runner = CliRunner()
MARCH = ["--since", "2026-03-01", "--until", "2026-03-31"]


@pytest.fixture
def database(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "report.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        load_portfolio(session)
    engine.dispose()
    return url


def test_json_report_with_breakdowns(database: str) -> None:
    result = runner.invoke(
        app, ["report", "--database", database, *MARCH, "--by", "channel", "--by", "segment", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["period"] == {
        "since": "2026-03-01T00:00:00+00:00",
        "until": "2026-03-31T00:00:00+00:00",
        "days": 30,
    }
    overall = doc["overall"]
    assert (overall["cases"], overall["attempted"], overall["contacted"], overall["right_party"]) == (
        6,
        4,
        3,
        2,
    )
    assert overall["contact_rate"] == 0.75 and overall["right_party_contact_rate"] == 0.5
    assert overall["kept_rate"] == 0.6667 and overall["manual_escalation_rate"] == 0.3333
    assert overall["recovered"] == {"EUR": "30.00", "USD": "140.00"}
    assert overall["dso_after"] == {"EUR": 69.2, "USD": 104.2}
    assert list(doc["by"]) == ["channel", "segment"]
    assert doc["by"]["channel"]["sms"]["contact_rate"] == 1.0
    assert doc["by"]["segment"]["business"]["promise_to_pay_rate"] is None
    assert "contact_rate" in doc["definitions"]


def test_tables_show_the_overall_kpis_and_each_breakdown(database: str) -> None:
    result = runner.invoke(
        app, ["report", "--database", database, *MARCH, "--by", "strategy"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "75.0% (3 of 4 attempted)" in result.output
    assert "by strategy" in result.output and "ladder:2" in result.output


def test_a_missing_database_or_a_backward_period_is_one_line_and_exit_2(
    database: str, tmp_path: Path
) -> None:
    missing = runner.invoke(app, ["report", "--database", f"sqlite:///{tmp_path / 'nope.db'}", "--json"])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    assert not (tmp_path / "nope.db").exists()
    backward = runner.invoke(
        app, ["report", "--database", database, "--since", "2026-04-01", "--until", "2026-03-01"]
    )
    assert backward.exit_code == 2 and "is not before --until" in backward.output
