"""The planner counts actions that are planned but not yet sent, as the gate's caps require."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.core.ids import new_id
from arrears.engine.planner import Planner
from arrears.settings import Settings
from arrears.store.models import Case, Interaction, OutboxAction
from arrears.strategy.catalog import StrategyLibrary
from arrears.strategy.spacing import NO_SPACING
from arrears.system.parts import contact_gate
from tests.engine.portfolio import add_debtor, open_cases

# 15:00 UTC is 10:00 in Boston: inside every window. Massachusetts caps calls and texts to a personal
# number at two per seven days.
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
MOBILE = "+16175550123"


def _customer_texted_once(sessions: sessionmaker[Session], *, queued_text: bool) -> str:
    """A Boston debtor 3 days past due, texted yesterday; optionally a second text waits in the outbox."""
    with sessions.begin() as session:
        add_debtor(session, now=NOW, due_on=NOW.date() - timedelta(days=3), state="MA", mobile=MOBILE)
    open_cases(sessions, NOW)
    with sessions.begin() as session:
        case = session.scalars(select(Case)).one()
        case.completed_steps = ["reminder-email"]  # the day-3 text is what is due now
        yesterday = NOW - timedelta(days=1)
        session.add(
            Interaction(
                case_id=case.id,
                customer_id=case.customer_id,
                channel="sms",
                direction="outbound",
                destination=MOBILE,
                destination_kind="mobile",
                status="sent",
                occurred_at=yesterday,
                planned_at=yesterday,
                detail={},
            )
        )
        if queued_text:
            session.add(
                OutboxAction(
                    idempotency_key=new_id(),
                    case_id=case.id,
                    customer_id=case.customer_id,
                    kind="contact",
                    step_id="agent-follow-up",
                    channel="sms",
                    destination=MOBILE,
                    destination_kind="mobile",
                    template="follow-up",
                    payload={},
                    status="pending",
                    not_before=NOW,
                    created_at=yesterday,
                )
            )
        return case.id


@pytest.mark.parametrize("queued_text", [False, True])
def test_a_queued_text_counts_toward_the_weekly_cap(
    sessions: sessionmaker[Session], queued_text: bool
) -> None:
    case_id = _customer_texted_once(sessions, queued_text=queued_text)
    settings = Settings(gate="profiles", collector_kind="creditor")
    # Spacing off: the queued text would hold the day-3 text back on its own (one text per case per day);
    # here the gate's weekly cap is under test.
    library = StrategyLibrary(
        replace(loaded, strategy=loaded.strategy.model_copy(update={"spacing": NO_SPACING}))
        for loaded in StrategyLibrary.load(settings.strategies_dir)
    )
    planner = Planner(sessions, SimulatedClock(NOW), library, contact_gate(settings))

    stats = planner.run_once()

    assert stats.cases == 1
    with sessions() as session:
        planned = session.scalars(
            select(OutboxAction.step_id).where(
                OutboxAction.case_id == case_id, OutboxAction.status == "pending"
            )
        ).all()
        deferred = session.scalars(
            select(Interaction.decision).where(
                Interaction.status == "deferred", Interaction.case_id == case_id
            )
        ).all()
    if not queued_text:
        # One text in seven days: the day-3 text may go.
        assert "payment-link-sms" in planned and deferred == []
        return
    # One sent and one queued make two: the day-3 text waits until the first one is a week old.
    assert "payment-link-sms" not in planned
    assert stats.deferred == 1
    (decision,) = deferred
    assert decision is not None
    assert "us.ma.frequency" in {reason["rule_id"] for reason in decision["reasons"]}
    # Yesterday's text (9 March) leaves the seven-day count on 16 March; the window opens at 08:00 there.
    boston = ZoneInfo("America/New_York")
    assert datetime.fromisoformat(decision["not_before"]) == datetime(2026, 3, 16, 8, 0, tzinfo=boston)
