"""End to end for a CRM: events published in the database, the write-back runner, the destination the
registry builds from settings, and the vendor's fake on the other side."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.feed import EventKind, publish
from arrears.settings import Settings
from arrears.system.crm import crm_offers
from arrears.writeback import RetryPolicy
from arrears.writeback.runner import WritebackRunner
from tests.conversations.support import NOW, seed_case
from tests.writeback.support import visible

POLICY = RetryPolicy(max_attempts=3, base_seconds=10.0, cap_seconds=600.0)


def crm_runner(settings: Settings, sessions: sessionmaker[Session], clock: SimulatedClock) -> WritebackRunner:
    destinations = [d for offer in crm_offers(settings) for d in offer.destinations]
    return WritebackRunner(sessions, clock, destinations, owner="worker-a", policy=POLICY)


def settings_for(env: dict[str, str], tmp_path: Path) -> Settings:
    values: dict[str, Any] = {k.removeprefix("ARREARS_").lower(): v for k, v in env.items()}
    return Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", **values)


def seed_events(sessions: sessionmaker[Session]) -> tuple[str, dict[str, str]]:
    """Dana's case (customer cust-1, 243.50 USD), then an outcome, a task and a payment about it."""
    case_id = seed_case(sessions)
    ids = {}
    with sessions.begin() as session:
        outcome = {"routing": "booked", "labels": ["promise_to_pay"], "promise_on": "2026-03-20",
                   "promise_amount_minor": 24350, "currency": "USD", "next_step": "remind"}  # fmt: skip
        task = {"reason": "hardship", "team": "collections", "priority": 2, "summary": "Lost her job"}
        payment = {"amount_minor": 1000, "currency": "USD"}
        for kind, data in (
            (EventKind.OUTCOME_RECORDED, outcome),
            (EventKind.TASK_OPENED, task),
            (EventKind.PAYMENT_APPLIED, payment),
            (EventKind.MESSAGE_SENT, {}),
        ):
            ids[kind.value] = publish(session, kind, f"{kind.entity}-1", NOW, case_id=case_id, data=data).id
    visible(sessions)  # PostgreSQL's horizon: every event readable before the runner runs
    return case_id, ids
