"""Stripe behind the real dispatcher: when the link cannot be made (Stripe down), nothing leaves and the
action waits for its strategy's retry; once Stripe answers, the message goes with a Stripe link."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from arrears.core.clock import SimulatedClock
from arrears.fakes.stripe import FakeStripe
from arrears.settings import Settings
from arrears.store.models import OutboxAction, PaymentLink
from arrears.system import System, build_system
from tests.engine.portfolio import add_debtor, open_cases

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 11:00 in New York, a Tuesday


def _system(engine: Engine, fake: FakeStripe, tmp_path: Path, clock: SimulatedClock) -> System:
    settings = Settings.model_validate(
        {
            "database_url": engine.url.render_as_string(hide_password=False),
            "outbox_dir": tmp_path / "out",
            "agent_business_name": "Northwind & Sons",
            "stripe_api_key": fake.api_key,
            "stripe_webhook_secret": fake.webhook_secret,
            "stripe_api_base": fake.url,
            "stripe_max_network_retries": 0,
        }
    )
    return build_system(settings, clock=clock, engine=engine)


def _reminder(system: System) -> OutboxAction:
    with system.sessions() as session:
        return session.scalars(select(OutboxAction).where(OutboxAction.step_id == "reminder-email")).one()


def test_a_stripe_outage_while_the_link_is_made_sends_nothing_and_retries_later(
    engine: Engine, fake: FakeStripe, tmp_path: Path
) -> None:
    clock = SimulatedClock(START)
    system = _system(engine, fake, tmp_path, clock)
    with system.sessions.begin() as session:
        add_debtor(session, now=START, due_on=START.date() - timedelta(days=2), email="ana@example.com")
    open_cases(system.sessions, START)
    worker = system.worker(worker_id="stripe-dispatch")
    worker.planner.run_until_idle()
    fake.fail_next.extend([500] * 20)  # every link call of this pass fails
    stats = worker.dispatcher.run_until_idle()
    row = _reminder(system)
    assert row.status == "pending" and row.not_before > START, "put off by the strategy's backoff"
    assert "payment link not made" in (row.last_error or "")
    assert stats.failed >= 1 and not list((tmp_path / "out" / "email").glob("*.eml"))

    fake.fail_next.clear()
    clock.set(row.not_before + timedelta(seconds=1))
    worker.dispatcher.run_until_idle()
    assert _reminder(system).status == "sent"
    with system.sessions() as session:
        link = session.scalars(select(PaymentLink).where(PaymentLink.provider == "stripe")).first()
    assert link is not None
    sent = b"".join(p.read_bytes() for p in (tmp_path / "out" / "email").glob("*.eml"))
    assert link.url.encode() in sent, json.dumps(link.url)
