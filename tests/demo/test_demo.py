"""The demo runs the real product end to end (its people reach it only through webhooks and the events
API), and the same seed tells the same story."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from arrears.cli.main import app
from arrears.demo.run import DemoOptions, run_demo
from arrears.settings import Settings
from arrears.store.models import Conversation, InboxEvent, Outcome


def test_a_small_demo_works_every_stage(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url, outbox_dir=tmp_path / "out")
    # 80 accounts: with one message per case per day (strategy spacing), 60 sent too few texts in 12 days
    # for a simulated customer to answer one.
    kpis = run_demo(settings, DemoOptions(accounts=80, days=12, seed=3))
    assert kpis.cases > 0 and kpis.attempted > 0 and kpis.contacted > 0
    assert kpis.contact_rate is not None and 0 < kpis.contact_rate <= 1
    assert kpis.kept_rate is None or 0 <= kpis.kept_rate <= 1
    assert kpis.recovered, "simulated customers paid something"
    with sessions() as session:
        assert (session.scalar(select(func.count()).select_from(Outcome)) or 0) > 0
        assert (session.scalar(select(func.count()).select_from(Conversation)) or 0) > 0, (
            "calls went through the agent"
        )
        failed = session.scalars(select(InboxEvent.error).where(InboxEvent.status == "failed")).all()
        kinds = set(session.scalars(select(InboxEvent.kind)))
    assert failed == []
    # Every word and payment came in through an entrance a real one uses, and was applied from the inbox.
    assert {"twilio.message", "twilio.call.answer", "twilio.call.turn", "payment.received"} <= kinds
    assert any((tmp_path / "out" / "email").glob("*.eml"))


def test_the_cli_demo_is_deterministic(tmp_path: Path) -> None:
    runs = []
    for name in ("a", "b"):
        result = CliRunner().invoke(
            app,
            [
                "demo",
                "--accounts",
                "40",
                "--days",
                "6",
                "--seed",
                "11",
                "--json",
                "--database",
                f"sqlite:///{tmp_path / name}.db",
                "--outbox",
                str(tmp_path / f"out-{name}"),
            ],
        )
        assert result.exit_code == 0, result.output
        runs.append(json.loads(result.output))
    assert runs[0] == runs[1]
    assert {
        "contact_rate",
        "promise_to_pay_rate",
        "kept_rate",
        "recovered",
        "dso_before",
        "dso_after",
    } <= set(runs[0])
