"""Twilio's message status callbacks, signed and stored in the inbox, reach the text's interaction: its
final state (delivered, undelivered, failed) and Twilio's ErrorCode, once however often Twilio retries. An
unreachable handset, an unknown number or a landline (30003/30005/30006) is a fact about that text, not a
verdict on the number: the contact point is not marked undeliverable. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.fakes.twilio import FakeTwilio, fake_twilio
from arrears.feed import EventKind
from arrears.store.models import ContactPoint, DomainEvent, InboxEvent, Interaction, OutboxAction
from arrears.system import System, build_system
from tests.conversations.support import NOW, PHONE, seed_case
from tests.providers.twilio_support import OURS, signed, twilio_settings


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with fake_twilio() as running:
        yield running


@pytest.fixture
def system(engine: Engine, fake: FakeTwilio, tmp_path: Path) -> System:
    settings = twilio_settings(engine.url.render_as_string(hide_password=False), fake.url, tmp_path)
    return build_system(settings, clock=SimulatedClock(NOW), engine=engine)


def text_sent(system: System, sessions: sessionmaker[Session], fake: FakeTwilio) -> tuple[str, str]:
    """Dana texts us; the agent's answer goes out through the outbox and Twilio: its SID and our key."""
    seed_case(sessions)
    form = {"From": PHONE, "To": OURS, "Body": "hi, who is this?", "MessageSid": "SMin1"}
    with TestClient(system.web()) as client:
        assert (
            signed(client, "/v1/twilio/messages", form | {"AccountSid": "AC" + "2" * 32}).status_code == 200
        )
    system.inbox.apply_due()
    system.worker(worker_id="test").dispatcher.run_until_idle()
    callback = fake.creates()[-1].one("StatusCallback")
    assert callback.startswith("https://arrears.example/v1/twilio/messages/status?key=")
    return str(fake.messages[-1]["sid"]), callback.removeprefix("https://arrears.example")


@pytest.mark.parametrize(
    ("status", "code"),
    [("delivered", None), ("undelivered", "30003"), ("undelivered", "30005"), ("failed", "30006")],
)
def test_final_states_reach_the_interaction_once(
    system: System, sessions: sessionmaker[Session], fake: FakeTwilio, status: str, code: str | None
) -> None:
    sid, path = text_sent(system, sessions, fake)
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "2" * 32, "To": PHONE}
    if code:
        form["ErrorCode"] = code
    with TestClient(system.web()) as client:
        assert signed(client, path, form, token="wrong").status_code == 403
        for _ in range(3):  # Twilio retries: stored once, applied once
            assert signed(client, path, form).status_code == 204
    system.inbox.apply_due()
    with sessions() as session:
        row = session.scalars(select(Interaction).where(Interaction.provider_id == sid)).one()
        assert row.delivery_status == status and row.detail.get("error_code") == code
        stored = session.scalars(select(InboxEvent).where(InboxEvent.kind == "twilio.message.status")).all()
        key = session.scalars(select(OutboxAction.idempotency_key)).one()
        assert [(e.payload["key"], e.status) for e in stored] == [(key, "done")]
        kinds = session.scalars(select(DomainEvent.kind)).all()
        wanted = EventKind.MESSAGE_DELIVERED if status == "delivered" else EventKind.MESSAGE_FAILED
        assert kinds.count(wanted.value) == 1
        assert session.scalars(select(ContactPoint.undeliverable_at)).all() == [None]
