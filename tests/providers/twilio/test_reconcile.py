"""A Twilio text whose sender died after Twilio accepted it, before recording it: its lease runs out, the
row becomes `unknown`, and the reconciler settles it by asking Twilio (the Messages list) with no
transaction open: recorded as sent with Twilio's SID, never texted twice; rows that never reached Twilio go
out once. Through the dispatcher, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.channels.base import Channel, OutboundMessage
from arrears.core.clock import SimulatedClock
from arrears.fakes.twilio import FROM_NUMBER, FakeTwilio, fake_twilio
from arrears.providers.local.sinks import local_channels
from arrears.providers.twilio.channels import TwilioMessaging
from arrears.providers.twilio.client import make_client
from arrears.providers.twilio.history import recall_send
from arrears.store.models import OutboxAction
from tests.engine.exactly_once_support import START, full_gate, hooked, make_dispatcher, plan, seed_us
from tests.providers.twilio.support import config


class Crash(BaseException):
    """The process dies here: nothing after this line of the dispatcher runs."""


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with fake_twilio() as running:
        yield running


def channels(fake: FakeTwilio, sessions: sessionmaker[Session], outbox: Path) -> dict[str, Channel]:
    sms = TwilioMessaging(
        make_client(config(fake.url)), "sms", FROM_NUMBER, None, recall=recall_send(sessions)
    )
    return {**local_channels(outbox), "sms": sms}


def texts(fake: FakeTwilio) -> Counter[str]:
    return Counter(r.one("To") for r in fake.creates())


def test_a_text_sent_before_a_crash_is_reconciled_as_sent(
    fake: FakeTwilio, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = SimulatedClock(START)
    fake.now = clock.now  # Twilio's timestamps on the same timeline as ours
    seed_us(sessions, START, 3, sms_every=1)
    plan(sessions, clock, full_gate())

    def die(message: OutboundMessage) -> None:
        if message.channel == "sms":
            raise Crash(message.idempotency_key)

    crashing = make_dispatcher(
        sessions, clock, hooked(channels(fake, sessions, tmp_path), after=die), full_gate(), "a"
    )
    with pytest.raises(Crash) as crash:
        crashing.run_until_idle()
    key = str(crash.value)
    assert sum(texts(fake).values()) == 1  # Twilio has the text; we have no record of it

    recovery = make_dispatcher(sessions, clock, channels(fake, sessions, tmp_path), full_gate(), "b")
    clock.advance(timedelta(minutes=62))  # past the lease and the strategy's reconcile_after_minutes
    stats = recovery.run_until_idle()
    assert stats.reconciled >= 1
    with sessions() as session:
        row = session.scalars(select(OutboxAction).where(OutboxAction.idempotency_key == key)).one()
        sms_rows = session.scalars(select(OutboxAction).where(OutboxAction.channel == "sms")).all()
    assert row.status == "sent" and row.provider_id == fake.messages[0]["sid"]
    assert {r.status for r in sms_rows} == {"sent"}
    assert set(texts(fake).values()) == {1} and sum(texts(fake).values()) == len(sms_rows)  # none twice
