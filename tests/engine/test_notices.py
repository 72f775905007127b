"""A third-party collector's first communication queues the validation notice once, with its end date."""

from __future__ import annotations

import email
from datetime import UTC, date, datetime, timedelta
from email import policy
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.compliance.gate import ProfileGate
from arrears.core.clock import SimulatedClock
from arrears.engine.dispatcher import Dispatcher
from arrears.engine.planner import Planner
from arrears.messages.formatting import day
from arrears.providers.local.sinks import local_channels
from arrears.settings import Settings
from arrears.store.models import OutboxAction
from arrears.strategy.catalog import StrategyLibrary
from arrears.system.parts import disclosure_texts
from tests.engine.portfolio import add_debtor, open_cases

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 11:00 in New York


def test_validation_notice_follows_the_first_communication(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = Settings(agent_business_name="Acme Recovery")
    gate = ProfileGate.from_files("third_party")
    clock = SimulatedClock(START)
    with sessions.begin() as session:
        add_debtor(session, now=START, due_on=START.date() - timedelta(days=2))
    open_cases(sessions, START)
    Planner(sessions, clock, StrategyLibrary.load(settings.strategies_dir), gate).run_until_idle()
    dispatcher = Dispatcher(
        sessions,
        clock,
        local_channels(tmp_path),
        gate,
        worker_id="t",
        disclosures_for=disclosure_texts(gate, settings),
    )
    dispatcher.run_until_idle()
    dispatcher.run_until_idle()

    with sessions() as session:
        notices = session.scalars(
            select(OutboxAction).where(OutboxAction.step_id == "validation-notice")
        ).all()
    assert len(notices) == 1
    notice = notices[0]
    assert notice.status == "sent" and notice.channel == "email"
    ends = notice.payload["validation_period_end"]
    assert ends > (START.date() + timedelta(days=30)).isoformat()
    sent = email.message_from_bytes(
        (tmp_path / "email" / f"{notice.idempotency_key}.eml").read_bytes(), policy=policy.default
    )
    body = sent.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "dispute" in body and day(date.fromisoformat(ends), "en-US") in body  # April 16, 2026
    first = [p for p in (tmp_path / "email").glob("*.eml") if p.stem != notice.idempotency_key]
    text = first[0].read_text()
    assert "Acme Recovery, a debt collector" in text.replace("=\n", "")
    assert "{" not in text
