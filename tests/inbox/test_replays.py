"""A customer's message is taken in once for the life of its conversation and after: delivered again, by the
same entrance or under a new delivery id, once its conversation has ended, it changes nothing anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.settings import Settings
from arrears.store.base import Base
from arrears.store.models import Conversation, Hold, Outcome, Task
from arrears.system import System, build_system
from tests.conversations.support import NOW, PHONE, seed_case

DISPUTE = "I never ordered this, it is not my debt"


@pytest.fixture
def system(engine: Engine, tmp_path: Path) -> System:
    settings = Settings(
        outbox_dir=tmp_path / "out", twilio_auth_token="t", public_base_url="https://x.example"
    )
    return build_system(settings, clock=SimulatedClock(NOW), engine=engine)


def _rows(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Rows in every table but the inbox (each delivery is kept there, as its own record of arrival)."""
    with sessions() as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
            if table.name != "inbox_events"
        }


def _twilio(system: System, delivery: str, sid: str, text: str) -> None:
    form = {"MessageSid": sid, "From": PHONE, "To": "+15005550006", "Body": text}
    system.inbox.store(source="twilio", external_id=delivery, kind="twilio.message", payload=form)


def _relay(system: System, delivery: str, sid: str, text: str) -> None:
    event = {"type": "message.received", "message_id": sid, "channel": "sms", "sender": PHONE, "text": text}
    system.inbox.store(source="api:relay", external_id=delivery, kind="message.received", payload=event)


@pytest.mark.parametrize("entrance", [_twilio, _relay])
def test_a_text_delivered_again_after_its_conversation_ended_changes_nothing(
    sessions: sessionmaker[Session], system: System, entrance: object
) -> None:
    """A dispute ends the conversation with an outcome, a task and a hold; the same message delivered again
    (as the same delivery, or as a new one a retrying relay gave a fresh key) is recognised by its message id."""
    deliver = entrance if callable(entrance) else None
    assert deliver is not None
    seed_case(sessions)
    deliver(system, "d-1", "SM-hello", "hi, who is this?")
    deliver(system, "d-2", "SM-dispute", DISPUTE)
    assert system.inbox.apply_due() == 2
    with sessions() as session:
        assert session.scalars(select(Conversation.status)).all() != ["active"]
        assert session.scalar(select(func.count()).select_from(Outcome)) == 1
        assert session.scalars(select(Task.reason)).all() == ["dispute"]
        assert session.scalars(select(Hold.kind)).all() == ["dispute"]
    before = _rows(sessions)
    for delivery in ("d-2", "d-2-retry", "d-2-again"):
        deliver(system, delivery, "SM-dispute", DISPUTE)
        system.inbox.apply_due()
    deliver(system, "d-1-retry", "SM-hello", "hi, who is this?")
    system.inbox.apply_due()
    assert _rows(sessions) == before
