"""Fallback channels end to end: the planner skips a channel it cannot reach, and a message rejected for
good moves its step to the next channel once, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.channels.base import DeliveryResult, DeliveryStatus, OutboundMessage
from arrears.compliance.minimal import MinimalGate
from arrears.core.clock import SimulatedClock
from arrears.engine.dispatcher import Dispatcher
from arrears.engine.fallbacks import wake_failed
from arrears.engine.planner import Planner
from arrears.interactions.delivery import DeliveryReport, DeliveryState, record_delivery
from arrears.providers.local.sinks import local_channels
from arrears.store.db import transaction
from arrears.store.models import Case, Consent, Customer, Interaction, OutboxAction
from arrears.strategy.catalog import StrategyLibrary
from tests.engine.portfolio import add_debtor, open_cases

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 10:00 in New York
STRATEGY = """\
name: fallback-test
version: 1
description: every contact step falls back to a text
steps:
  - {id: hello, day: 1, channel: email, template: consumer/reminder, tone: friendly, fallback_channels: [sms]}
  - {id: nudge, day: 3, channel: whatsapp, template: consumer/payment-link, tone: friendly,
     fallback_channels: [sms]}
  - {id: firm, day: 30, channel: email, template: consumer/final-notice, tone: firm}
"""


class RejectingWhatsApp:
    """WhatsApp as Twilio answers outside the 24-hour window with no approved template: rejected."""

    name = "whatsapp"

    def __init__(self) -> None:
        self.keys: list[str] = []

    def send(self, message: OutboundMessage) -> DeliveryResult:
        self.keys.append(message.idempotency_key)
        return DeliveryResult(DeliveryStatus.REJECTED, "test", error="outside the 24-hour window")

    def lookup(self, idempotency_key: str) -> DeliveryResult | None:
        return None


def _planner(sessions: sessionmaker[Session], clock: SimulatedClock, folder: Path) -> Planner:
    folder.mkdir(exist_ok=True)
    (folder / "fallback.yaml").write_text(STRATEGY)
    return Planner(sessions, clock, StrategyLibrary.load(folder), MinimalGate(), batch_size=50)


def _rows(sessions: sessionmaker[Session]) -> list[tuple[str, str, str]]:
    with sessions() as session:
        query = select(OutboxAction.step_id, OutboxAction.channel, OutboxAction.status)
        return [(s, c, st) for s, c, st in session.execute(query.order_by(OutboxAction.created_at))]


def _wake(sessions: sessionmaker[Session], clock: SimulatedClock) -> None:
    """The feed consumer wakes the case; on PostgreSQL an event shows once every transaction older than it
    has ended (other sessions on the server may hold that back for a moment), so this polls."""
    deadline = time.monotonic() + 30
    while True:
        with transaction(sessions) as session:
            if wake_failed(session, clock.now()) == 1:
                return
        assert time.monotonic() < deadline, "message.failed never reached the fallback consumer"
        time.sleep(0.2)


def _replan(sessions: sessionmaker[Session], planner: Planner) -> None:
    with sessions.begin() as session:
        session.execute(update(Case).values(next_action_at=START))
    planner.run_until_idle()


def test_no_email_on_file_plans_the_text(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    clock = SimulatedClock(START)
    with sessions.begin() as session:
        add_debtor(session, now=START, due_on=START.date() - timedelta(days=1), email=None)
    open_cases(sessions, START, strategy="fallback-test")
    planner = _planner(sessions, clock, tmp_path)
    stats = planner.run_until_idle()
    assert stats.actions == 1 and stats.refused == 0
    _replan(sessions, planner)
    assert _rows(sessions) == [("hello", "sms", "pending")]
    with sessions() as session:
        reason = session.scalar(select(OutboxAction.payload))["reason"]  # type: ignore[index]
        assert "email: no deliverable destination on file; sent by sms" in reason
        assert "hello@sms" in session.scalar(select(Case.completed_steps))  # type: ignore[operator]


def test_nothing_reachable_is_refused_once_with_every_channel_named(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = SimulatedClock(START)
    with sessions.begin() as session:
        add_debtor(session, now=START, due_on=START.date() - timedelta(days=1), email=None, mobile=None)
    open_cases(sessions, START, strategy="fallback-test")
    planner = _planner(sessions, clock, tmp_path)
    assert planner.run_until_idle().refused == 1
    _replan(sessions, planner)
    with sessions() as session:
        whys = [d["why"] for d in session.scalars(select(Interaction.detail))]
    assert whys == ["no destination on file for email, sms"]
    assert _rows(sessions) == []


def _rejected_whatsapp(
    sessions: sessionmaker[Session], tmp_path: Path, clock: SimulatedClock
) -> tuple[Planner, Dispatcher, RejectingWhatsApp]:
    with sessions.begin() as session:
        add_debtor(session, now=START, due_on=START.date() - timedelta(days=3))
        customer_id = session.scalar(select(Customer.id))
        session.add(
            Consent(
                customer_id=customer_id,
                channel="whatsapp",
                destination="+12125550123",
                source="application",
                granted_at=datetime(2025, 1, 1, tzinfo=UTC),
            )
        )
    open_cases(sessions, START, strategy="fallback-test")
    planner = _planner(sessions, clock, tmp_path / "strategies")
    whatsapp = RejectingWhatsApp()
    channels = {**local_channels(tmp_path / "out"), "whatsapp": whatsapp}
    gate = MinimalGate()
    dispatcher = Dispatcher(sessions, clock, channels, gate, worker_id="t1", lease_seconds=30)

    planner.run_until_idle()
    dispatcher.run_until_idle()
    assert len(whatsapp.keys) == 1
    assert _rows(sessions) == [("nudge", "whatsapp", "failed")]
    return planner, dispatcher, whatsapp


def test_rejected_whatsapp_falls_back_to_sms_once(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    clock = SimulatedClock(START)
    planner, dispatcher, whatsapp = _rejected_whatsapp(sessions, tmp_path, clock)

    clock.advance(timedelta(minutes=1))
    _wake(sessions, clock)
    for _ in range(3):  # planning again, however often, plans the text once
        planner.run_until_idle()
        dispatcher.run_until_idle()
        _replan(sessions, planner)
    assert _rows(sessions) == [("nudge", "whatsapp", "failed"), ("nudge", "sms", "sent")]
    texts = (tmp_path / "out" / "sms.jsonl").read_text().splitlines()
    assert len(texts) == 1 and json.loads(texts[0])["idempotency_key"] != whatsapp.keys[0]


def test_a_deferred_fallback_is_planned_again_when_the_gate_allows(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = SimulatedClock(START)
    planner, dispatcher, _ = _rejected_whatsapp(sessions, tmp_path, clock)
    clock.advance(timedelta(hours=12))  # 22:00 -> the gate defers the text to the morning
    _wake(sessions, clock)
    assert planner.run_until_idle().deferred == 1
    with sessions() as session:
        assert "nudge@sms" not in session.scalar(select(Case.completed_steps))  # type: ignore[operator]
    clock.advance(timedelta(hours=12))  # 10:00 the next day
    planner.run_until_idle()
    dispatcher.run_until_idle()
    assert _rows(sessions) == [("nudge", "whatsapp", "failed"), ("nudge", "sms", "sent")]


def test_a_bounced_email_falls_back_to_sms(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    """A delivery report of failure (an e-mail hard bounce, as the inbound-email handler records it)."""
    clock = SimulatedClock(START)
    with sessions.begin() as session:
        add_debtor(session, now=START, due_on=START.date() - timedelta(days=1))
    open_cases(sessions, START, strategy="fallback-test")
    planner = _planner(sessions, clock, tmp_path / "strategies")
    gate = MinimalGate()
    channels = local_channels(tmp_path / "out")
    dispatcher = Dispatcher(sessions, clock, channels, gate, worker_id="t1", lease_seconds=30)
    planner.run_until_idle()
    dispatcher.run_until_idle()
    assert _rows(sessions) == [("hello", "email", "sent")]
    with transaction(sessions) as session:
        sent = session.execute(select(Interaction.provider, Interaction.provider_id)).one()
        report = DeliveryReport(sent[0], sent[1], DeliveryState.FAILED, clock.now(), error_code="5.1.1")
        assert record_delivery(session, report) == 1
    _wake(sessions, clock)
    clock.advance(timedelta(days=1))  # the bounced e-mail was the first contact: it goes alone for a day
    for _ in range(2):
        planner.run_until_idle()
        dispatcher.run_until_idle()
        _replan(sessions, planner)
    assert _rows(sessions) == [("hello", "email", "sent"), ("hello", "sms", "sent")]
