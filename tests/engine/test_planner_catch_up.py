"""The planner with catch-up and spacing: what it writes for a case planned late (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.compliance.minimal import MinimalGate
from arrears.core.clock import SimulatedClock
from arrears.engine.planner import Planner
from arrears.store.models import AuditEntry, Case, Interaction, OutboxAction
from arrears.strategy.catalog import StrategyLibrary
from tests.engine.portfolio import add_debtor, open_cases

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 10:00 in New York


def _planner(sessions: sessionmaker[Session]) -> Planner:
    return Planner(sessions, SimulatedClock(NOW), StrategyLibrary.load(None), MinimalGate())


def test_a_case_opened_late_records_what_it_skipped_and_sends_one_message(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        add_debtor(session, now=NOW, due_on=NOW.date() - timedelta(days=8))
    open_cases(sessions, NOW)
    stats = _planner(sessions).run_until_idle()
    assert (stats.actions, stats.skipped) == (1, 2)
    with sessions() as session:
        case = session.scalars(select(Case)).one()
        planned = session.scalars(select(OutboxAction.step_id)).all()
        skipped = session.execute(select(Interaction.channel, Interaction.detail, Interaction.decision)).all()
        audited = session.scalars(select(AuditEntry.data).where(AuditEntry.action == "step_skipped")).all()
    assert planned == ["first-call"]  # day 7: the step 8 days past due call for
    assert set(case.completed_steps) == {"reminder-email", "payment-link-sms", "first-call"}
    why = "catch-up: case first planned at 8 days past due; started at day 7"
    assert sorted((channel, detail["step_id"]) for channel, detail, _ in skipped) == [
        ("email", "reminder-email"),
        ("sms", "payment-link-sms"),
    ]
    assert {detail["why"] for _, detail, _ in skipped} == {why}
    assert {decision["reasons"][0]["rule_id"] for _, _, decision in skipped} == {"strategy.catch_up"}
    assert sorted(a["step_id"] for a in audited) == ["payment-link-sms", "reminder-email"]


def test_a_refused_step_does_not_cost_the_case_its_day(sessions: sessionmaker[Session]) -> None:
    """A worked case with missed steps: the first cannot go (no e-mail address on file), so the next one
    goes in the same run instead of a day later."""
    with sessions.begin() as session:
        add_debtor(session, now=NOW, due_on=NOW.date() - timedelta(days=8), email=None)
    open_cases(sessions, NOW)
    with sessions.begin() as session:
        session.execute(update(Case).values(completed_steps=["payment-link-sms"]))
    stats = _planner(sessions).run_until_idle()
    assert (stats.refused, stats.actions, stats.skipped) == (1, 1, 0)
    with sessions() as session:
        assert session.scalars(select(OutboxAction.step_id)).all() == ["first-call"]
