"""An invoice imported before its due date gets its case when the day passes, with no event to say so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.settings import Settings
from arrears.store.models import Case, OutboxAction
from arrears.system import build_system
from tests.engine.portfolio import add_debtor, open_cases

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def test_the_worker_opens_a_case_once_an_invoice_falls_due(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with sessions.begin() as session:
        add_debtor(session, now=START, due_on=START.date() + timedelta(days=1))
    open_cases(sessions, START)
    clock = SimulatedClock(START)
    engine = sessions.kw["bind"]
    system = build_system(Settings(outbox_dir=tmp_path, gate="minimal"), clock=clock, engine=engine)
    worker = system.worker(worker_id="sweep")
    worker.tick()
    with sessions() as session:
        assert session.scalars(select(Case)).all() == []

    clock.set(START + timedelta(days=3))  # due on the 11th, now the 13th: two days past due
    worker.tick()
    with sessions() as session:
        case = session.scalars(select(Case)).one()
        assert case.status == "open" and case.oldest_due_on == START.date() + timedelta(days=1)
        assert session.scalars(select(OutboxAction)).all(), "the new case was planned in the same pass"

    worker.tick()  # the same day again: no second sweep, nothing new
    with sessions() as session:
        assert len(session.scalars(select(Case)).all()) == 1
