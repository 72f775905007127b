"""A new strategy version can hold its first N actions for a person before anything is sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from arrears.compliance.minimal import MinimalGate
from arrears.core.clock import SimulatedClock
from arrears.engine.dispatcher import Dispatcher
from arrears.engine.planner import Planner
from arrears.engine.review import decide, pending_review
from arrears.engine.strategies import register_strategies
from arrears.providers.local.sinks import local_channels
from arrears.store.models import AuditEntry, OutboxAction
from arrears.strategy.catalog import StrategyLibrary
from tests.engine.portfolio import add_debtor, open_cases

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
SHIPPED = Path(__file__).resolve().parents[2] / "src/arrears/strategy/library/consumer-overdue.yaml"


def test_first_n_actions_wait_for_review_then_go_once_approved(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    folder = tmp_path / "strategies"
    folder.mkdir()
    body = (
        SHIPPED.read_text()
        .replace("version: 1", "version: 2", 1)
        .replace("review_first_n: 0", "review_first_n: 2")
    )
    (folder / "consumer-v2.yaml").write_text(body)
    library = StrategyLibrary.load(folder)
    clock = SimulatedClock(START)
    with sessions.begin() as session:
        register_strategies(session, library, START)
        for _ in range(3):
            add_debtor(session, now=START, due_on=START.date() - timedelta(days=2))
    open_cases(sessions, START)
    with sessions.begin() as session:
        session.execute(text("UPDATE cases SET strategy_version = 2"))

    planner = Planner(sessions, clock, library, MinimalGate())
    stats = planner.run_until_idle()
    assert stats.actions == 3 and stats.review == 2
    dispatcher = Dispatcher(sessions, clock, local_channels(tmp_path / "out"), MinimalGate(), worker_id="t")
    assert dispatcher.run_until_idle().sent == 1  # only the one past the review budget

    with sessions.begin() as session:
        held = pending_review(session)
        assert len(held) == 2
        assert decide(session, [held[0].id], approve=True, actor="ops@example.com", now=START) == 1
        assert decide(session, [held[1].id], approve=False, actor="ops@example.com", now=START) == 1
        assert decide(session, [held[1].id], approve=True, actor="ops@example.com", now=START) == 0
    assert dispatcher.run_until_idle().sent == 1
    with sessions() as session:
        statuses = sorted(session.scalars(select(OutboxAction.status)))
        audits = session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "ops@example.com")).all()
    assert statuses == ["cancelled", "sent", "sent"]
    assert sorted(audits) == ["review_approved", "review_rejected"]
