"""Spacing where messages leave: the dispatcher holds a ladder step whose case sent too recently, whatever
put the row in the queue; replies and notices (rows without the planner's mark) are never held."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.compliance.minimal import MinimalGate
from arrears.core.clock import SimulatedClock
from arrears.core.ids import new_id
from arrears.engine.dispatcher import Dispatcher
from arrears.engine.explain import case_decisions
from arrears.engine.planner import Planner
from arrears.providers.local.sinks import local_channels
from arrears.store.models import Case, OutboxAction
from arrears.strategy.catalog import StrategyLibrary
from arrears.strategy.spacing import NO_SPACING
from tests.engine.portfolio import add_debtor, open_cases

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 10:00 in New York


def _row(case: Case, step: str, spacing: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    payload: dict[str, Any] = {"tone": "neutral", "reason": "test"}
    if spacing is not None:
        payload["spacing"] = spacing
    return {
        "id": new_id(),
        "idempotency_key": f"test:{case.id}:{step}",
        "case_id": case.id,
        "customer_id": case.customer_id,
        "kind": "contact",
        "step_id": step,
        "channel": "email",
        "destination": "debtor@example.com",
        "destination_kind": "personal_email",
        "template": "consumer/payment-link",
        "payload": payload,
        "status": "pending",
        "not_before": now,
        "attempts": 0,
        "created_at": now,
    }


def test_a_ladder_step_waits_until_the_case_may_send_again(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = SimulatedClock(START)
    with sessions.begin() as session:
        add_debtor(session, now=START, due_on=START.date() - timedelta(days=1))
    open_cases(sessions, START)
    library = StrategyLibrary.load(None)
    gate = MinimalGate()
    channels = local_channels(tmp_path)

    def dispatcher(spaced: bool) -> Dispatcher:
        spacing = (lambda n, v: library.strategy(n, v).spacing) if spaced else (lambda n, v: NO_SPACING)
        return Dispatcher(sessions, clock, channels, gate, worker_id="w1", spacing_for=spacing)

    Planner(sessions, clock, library, gate).run_until_idle()  # day 1: the reminder e-mail
    assert dispatcher(True).run_until_idle().sent == 1

    clock.advance(timedelta(hours=2))
    now = clock.now()
    with sessions.begin() as session:
        case = session.scalars(select(Case)).one()
        held = _row(case, "ladder-step", {"late": False}, now)
        reply = _row(case, "a-reply", None, now)
        session.add_all([OutboxAction(**held), OutboxAction(**reply)])
    stats = dispatcher(True).run_until_idle()
    assert (stats.sent, stats.deferred) == (1, 1)  # the reply leaves; the ladder step waits
    with sessions() as session:
        row = session.get(OutboxAction, held["id"])
        assert row is not None and row.status == "pending"
        # A day after the case's last e-mail: the reply, which left just before it in the same batch.
        assert row.not_before is not None and row.not_before.replace(tzinfo=UTC) == now + timedelta(hours=24)
        explained = case_decisions(session, case.id)
    assert any(
        d.event == "deferred" and d.decision.reasons[0].rule_id == "strategy.spacing" for d in explained
    )

    clock.set(now + timedelta(hours=24))
    assert dispatcher(True).run_until_idle().sent == 1

    # Spacing off: the same situation sends at once.
    with sessions.begin() as session:
        session.add(OutboxAction(**_row(case, "another-step", {"late": True}, clock.now())))
    assert dispatcher(False).run_until_idle().sent == 1
