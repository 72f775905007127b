"""Planner and dispatcher together on simulated time, over real SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.compliance.minimal import MinimalGate
from arrears.core.clock import SimulatedClock
from arrears.engine.dispatcher import Dispatcher
from arrears.engine.planner import Planner
from arrears.providers.local.sinks import local_channels
from arrears.store.models import Case, Interaction, OptOut, OutboxAction
from arrears.strategy.catalog import StrategyLibrary
from tests.engine.portfolio import add_debtor, open_cases

# 15:00 UTC is 10:00 in New York: inside the contact window.
START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def _engine(
    sessions: sessionmaker[Session], clock: SimulatedClock, outbox: Path
) -> tuple[Planner, Dispatcher]:
    library = StrategyLibrary.load(None)
    gate = MinimalGate()
    planner = Planner(sessions, clock, library, gate, batch_size=50)
    dispatcher = Dispatcher(sessions, clock, local_channels(outbox), gate, worker_id="t1", lease_seconds=30)
    return planner, dispatcher


def _sink_keys(outbox: Path) -> list[str]:
    keys = [p.stem for p in (outbox / "email").glob("*.eml")]
    for name in ("sms", "whatsapp", "voice", "letter"):
        path = outbox / f"{name}.jsonl"
        if path.exists():
            keys += [json.loads(line)["idempotency_key"] for line in path.read_text().splitlines()]
    return keys


def test_due_case_is_planned_sent_once_and_replanning_sends_nothing(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = SimulatedClock(START)
    with sessions.begin() as session:
        add_debtor(session, now=START, due_on=START.date() - timedelta(days=5))
    open_cases(sessions, START)
    planner, dispatcher = _engine(sessions, clock, tmp_path)

    first = planner.run_until_idle()
    assert first.cases == 1 and first.actions >= 1
    sent = dispatcher.run_until_idle()
    assert sent.sent == first.actions

    # Force the case due again: the same steps must not produce new rows or sends.
    with sessions.begin() as session:
        session.execute(update(Case).values(next_action_at=START, completed_steps=[]))
    again = planner.run_until_idle()
    assert again.cases == 1
    dispatcher.run_until_idle()
    keys = _sink_keys(tmp_path)
    assert len(keys) == len(set(keys)) == first.actions
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxAction)) == first.actions


def test_contact_outside_hours_waits_for_the_window(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    night = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 23:00 in New York the evening before
    clock = SimulatedClock(night)
    with sessions.begin() as session:
        add_debtor(session, now=night, due_on=night.date() - timedelta(days=5))
    open_cases(sessions, night)
    planner, dispatcher = _engine(sessions, clock, tmp_path)
    stats = planner.run_until_idle()
    assert stats.deferred == 1 and stats.actions == 0
    with sessions() as session:
        wake = session.scalar(select(Case.next_action_at))
    assert wake == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # 08:00 New York (EDT from 8 March)
    clock.set(wake)
    assert planner.run_until_idle().actions >= 1
    assert dispatcher.run_until_idle().sent >= 1


def test_opt_out_after_planning_stops_the_send(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    clock = SimulatedClock(START)
    with sessions.begin() as session:
        add_debtor(session, now=START, due_on=START.date() - timedelta(days=5))
    open_cases(sessions, START)
    planner, dispatcher = _engine(sessions, clock, tmp_path)
    assert planner.run_until_idle().actions >= 1
    with sessions.begin() as session:
        customer_id = session.scalar(select(Case.customer_id))
        session.add(
            OptOut(
                customer_id=customer_id,
                channel=None,
                destination=None,
                reason="cease",
                source="test",
                at=START,
            )
        )
    stats = dispatcher.run_until_idle()
    assert stats.sent == 0 and stats.refused >= 1
    assert _sink_keys(tmp_path) == []
    with sessions() as session:
        refused = session.scalars(select(Interaction).where(Interaction.status == "refused")).all()
        assert refused and refused[0].decision is not None


def test_settled_case_is_not_planned(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    clock = SimulatedClock(START)
    with sessions.begin() as session:
        add_debtor(session, now=START, due_on=date(2026, 3, 20))  # not yet due: no case
    open_cases(sessions, START)
    planner, _ = _engine(sessions, clock, tmp_path)
    assert planner.run_until_idle().cases == 0
