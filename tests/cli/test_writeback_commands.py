"""`arrears writeback status|dead|replay` on a database where one event was refused by an endpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from arrears.cli.main import app
from arrears.core.clock import SimulatedClock
from arrears.fakes import webhooks as fake_webhooks
from arrears.fakes.webhooks import WebhookReceiver
from arrears.settings import get_settings
from tests.conversations.support import NOW
from tests.writeback.support import destination, ledger, runner, seed_payments

cli = CliRunner()


@pytest.fixture
def hook(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebhookReceiver]:
    running = fake_webhooks.start(config_dir=tmp_path, name="erp", events=["payment.applied"])
    monkeypatch.setenv("ARREARS_DATABASE_URL", database_url)
    monkeypatch.setenv("ARREARS_WEBHOOK_ENDPOINTS", running.env["ARREARS_WEBHOOK_ENDPOINTS"])
    monkeypatch.setenv("ARREARS_OUTBOX_DIR", str(tmp_path / "outbox"))
    get_settings.cache_clear()
    yield running
    running.stop()
    get_settings.cache_clear()


def test_status_dead_and_replay(sessions: sessionmaker[Session], hook: WebhookReceiver) -> None:
    _, (refused, accepted) = seed_payments(sessions, 2)
    hook.fail_next(410)
    run = runner(sessions, SimulatedClock(NOW), [destination(hook)])
    run.run_pass()

    result = cli.invoke(app, ["writeback", "status", "--json"])
    assert result.exit_code == 0, result.output
    (status,) = [json.loads(line) for line in result.output.splitlines()]
    assert status["destination"] == "webhook:erp"
    assert (status["behind"], status["retrying"], status["dead"]) == (0, 0, 1)
    assert status["oldest_dead"] is not None

    result = cli.invoke(app, ["writeback", "dead", "--json"])
    (dead,) = [json.loads(line) for line in result.output.splitlines()]
    assert (dead["event_id"], dead["kind"], dead["attempts"]) == (refused, "payment.applied", 1)
    assert "410" in dead["last_error"]

    assert cli.invoke(app, ["writeback", "replay"]).exit_code == 2
    result = cli.invoke(app, ["writeback", "replay", "--event", refused])
    assert result.exit_code == 0 and "1 dead letter(s) queued again" in result.output
    run.run_pass()
    assert hook.ids() == [accepted, refused]
    assert ledger(sessions)[refused].status == "delivered"
    assert "webhook:erp" in cli.invoke(app, ["writeback", "status"]).output


@pytest.mark.parametrize("command", [["status"], ["dead"], ["replay", "--all"]])
def test_a_missing_database_is_one_line_and_nothing_is_created(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "typo.db"
    result = cli.invoke(app, ["writeback", *command, "--database", f"sqlite:///{path}"])
    assert result.exit_code == 2 and not path.exists()
