"""Read commands: against a database that is not there or has no schema, one line, exit 2, nothing
created; `review list` shows full ids and the words; `compliance rules` follows the configured kind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from arrears.cli.main import app
from arrears.compliance.minimal import MinimalGate
from arrears.core.clock import SimulatedClock
from arrears.engine.planner import Planner
from arrears.engine.strategies import register_strategies
from arrears.settings import get_settings
from arrears.store.models import AuditEntry, OutboxAction
from arrears.strategy.catalog import StrategyLibrary
from tests.cli.support import scratch_postgres, table_names
from tests.engine.portfolio import add_debtor, open_cases

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
SHIPPED = Path(__file__).resolve().parents[2] / "src/arrears/strategy/library/consumer-overdue.yaml"
SETTINGS = ("DATABASE_URL", "COLLECTOR_KIND", "TENANT_FILE", "GATE", "PROFILES_DIR")

READS = [
    ["review", "list"],
    ["review", "list", "--json"],
    ["export", "attempts"],
    ["compliance", "explain", "no-such-case"],
    ["api-key", "list"],
]
runner = CliRunner()


@pytest.fixture(autouse=True)
def _own_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No ARREARS_* setting leaks in or out (`api-key --database` sets ARREARS_DATABASE_URL itself)."""
    for name in SETTINGS:
        monkeypatch.setenv(f"ARREARS_{name}", "")  # recorded, so the original comes back afterwards
        monkeypatch.delenv(f"ARREARS_{name}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def empty_postgres() -> Iterator[str]:
    with scratch_postgres() as url:
        yield url


def _refused(args: list[str], url: str) -> str:
    result = runner.invoke(app, [*args, "--database", url])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a traceback
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("arrears: "), result.stderr
    assert result.stdout.strip() == "" or result.stdout.strip() == result.stderr.strip()
    return lines[0]


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_a_missing_sqlite_file_is_named_and_not_created(args: list[str], tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    line = _refused(args, f"sqlite:///{path}")
    assert f"sqlite:///{path} does not exist" in line
    assert not path.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_an_empty_sqlite_file_gets_no_schema(args: list[str], tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    line = _refused(args, f"sqlite:///{path}")
    assert "has no Arrears schema; run `arrears db upgrade --database" in line
    assert path.stat().st_size == 0 and [p.name for p in tmp_path.iterdir()] == ["empty.db"]


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_an_empty_postgres_database_gets_no_schema(args: list[str], empty_postgres: str) -> None:
    assert "has no Arrears schema" in _refused(args, empty_postgres)
    assert table_names(empty_postgres) == []  # no alembic_version, nothing


def test_export_writes_no_output_file_for_a_missing_database(tmp_path: Path) -> None:
    target = tmp_path / "out" / "attempts.csv"
    target.parent.mkdir()
    _refused(["export", "attempts", "--output", str(target)], f"sqlite:///{tmp_path / 'typo.db'}")
    assert not target.exists()


def _hold_two_actions(sessions: sessionmaker[Session], tmp_path: Path) -> list[tuple[str, str]]:
    """Three debtors on a strategy version that holds its first two actions; (action id, case id) held."""
    folder = tmp_path / "strategies"
    folder.mkdir()
    body = SHIPPED.read_text().replace("version: 1", "version: 2", 1)
    (folder / "consumer-v2.yaml").write_text(body.replace("review_first_n: 0", "review_first_n: 2"))
    library = StrategyLibrary.load(folder)
    with sessions.begin() as session:
        register_strategies(session, library, START)
        for _ in range(3):
            add_debtor(session, now=START, due_on=START.date() - timedelta(days=2))
    open_cases(sessions, START)
    with sessions.begin() as session:
        session.execute(text("UPDATE cases SET strategy_version = 2"))
    assert Planner(sessions, SimulatedClock(START), library, MinimalGate()).run_until_idle().review == 2
    with sessions() as session:
        held = session.execute(
            select(OutboxAction.id, OutboxAction.case_id).where(OutboxAction.status == "review")
        )
        return [(row.id, row.case_id) for row in held]


def _list(database_url: str, *extra: str) -> Result:
    result = runner.invoke(app, ["review", "list", "--database", database_url, *extra], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result


def test_review_list_shows_full_ids_and_the_message(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    held = _hold_two_actions(sessions, tmp_path)
    audited = _audit_count(sessions)
    result = _list(database_url)
    words = " ".join(result.stdout.split())
    assert "2 action(s) waiting for review" in words
    for action_id, case_id in held:
        assert action_id in result.stdout and case_id in result.stdout  # whole, on one line, at 80 columns
    # No link is made for a preview: a marker stands where the send will put one.
    assert words.count("Pay securely online: [secure payment link added when sent]") == 2
    assert "subject A friendly reminder about your Acme Test Utilities account" in words
    assert "Hi Pat, This is a friendly reminder that $120.00 on your account is now" in words
    with sessions() as session:  # looking changed nothing
        rows = session.execute(select(OutboxAction.status, OutboxAction.attempts)).tuples().all()
    assert sorted(rows) == [("pending", 0), ("review", 0), ("review", 0)]
    assert _audit_count(sessions) == audited


def _audit_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return len(session.scalars(select(AuditEntry.id)).all())


def test_review_list_json_has_full_records_and_the_rendered_text(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    held = dict(_hold_two_actions(sessions, tmp_path))
    records = json.loads(_list(database_url, "--json").stdout)
    assert {r["id"]: r["case_id"] for r in records} == held
    for record in records:
        message = record["message"]
        assert record["channel"] == "email" and record["destination"] == "debtor@example.com"
        assert message["subject"] == "A friendly reminder about your Acme Test Utilities account"
        assert message["body"].startswith("Hi Pat,\n\nThis is a friendly reminder that $120.00")
        assert "[secure payment link added when sent]" in message["body"]
        assert message["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["gate_now"]["verdict"] in ("allow", "defer", "deny")


def test_review_approve_and_reject_still_work(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    (first, _), (second, _) = _hold_two_actions(sessions, tmp_path)
    for verb, action_id in (("approve", first), ("reject", second)):
        result = runner.invoke(
            app, ["review", verb, action_id, "--actor", "ops@example.com", "--database", database_url]
        )
        assert result.exit_code == 0 and "1 of 1 action(s)" in result.stdout, result.output
    assert json.loads(_list(database_url, "--json").stdout) == []


@pytest.mark.parametrize(
    ("kind", "profile"), [("third_party", "us-third-party"), ("creditor", "us-creditor")]
)
def test_compliance_rules_default_to_the_configured_collector_kind(
    kind: str, profile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARREARS_COLLECTOR_KIND", kind)
    get_settings.cache_clear()
    result = runner.invoke(app, ["compliance", "rules", "--country", "US", "--state", "WA"])
    assert result.exit_code == 0, result.output
    assert f"collector kind: {kind}" in result.stdout and profile in result.stdout


def test_compliance_rules_option_overrides_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARREARS_COLLECTOR_KIND", "creditor")
    get_settings.cache_clear()
    args = ["compliance", "rules", "--country", "US", "--state", "WA", "--collector-kind", "third_party"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and "us-third-party" in result.stdout, result.output
    bad = runner.invoke(app, [*args[:-1], "collection_agency"])
    assert bad.exit_code == 2 and "use creditor or third_party" in bad.stderr


def test_review_list_says_when_a_closed_case_will_not_be_sent(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    (_, closed_case), (_, open_case) = _hold_two_actions(sessions, tmp_path)
    with sessions.begin() as session:
        session.execute(text("UPDATE cases SET status = 'closed' WHERE id = :id"), {"id": closed_case})
    records = {r["case_id"]: r["message"] for r in json.loads(_list(database_url, "--json").stdout)}
    assert records[closed_case]["body"] is None and "cancels" in records[closed_case]["note"]
    assert records[open_case]["body"].startswith("Hi Pat")
