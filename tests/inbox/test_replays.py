"""A customer's message is taken in once for the life of its conversation and after: delivered again, by the
same entrance or under a new delivery id, once its conversation has ended, it changes nothing anywhere."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.api.keys import create_api_key
from arrears.core.clock import SimulatedClock
from arrears.settings import Settings
from arrears.store.base import Base
from arrears.store.db import make_engine, session_factory
from arrears.store.models import Conversation, Hold, InboxEvent, OptOut, OutboxAction, Outcome, Task
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


@pytest.mark.parametrize("deliver", [_twilio, _relay])
def test_a_text_delivered_again_after_its_conversation_ended_changes_nothing(
    sessions: sessionmaker[Session], system: System, deliver: Callable[[System, str, str, str], None]
) -> None:
    """A dispute ends the conversation with an outcome, a task and a hold; the same message delivered
    again (as the same delivery, or as a new one a retrying relay gave a fresh key) is recognised by its
    message id."""
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


def _stop(client: TestClient, token: str, key: str) -> int:
    event = {"type": "message.received", "message_id": "SM-stop", "channel": "sms", "sender": PHONE}
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    return int(client.post("/v1/events", json=event | {"text": "STOP"}, headers=headers).status_code)


def test_ten_identical_stops_at_once_over_the_events_api_make_one_opt_out(
    postgres_url: str, tmp_path: Path
) -> None:
    """A relay retrying a STOP ten times at once with one Idempotency-Key, then ten more times with fresh
    keys, applied by four workers at once: every request answered 2xx, one stored event per key, one opt-out
    and one confirmation (PostgreSQL: SQLite's single writer makes this trivially true)."""
    engine = make_engine(postgres_url)
    sessions = session_factory(engine)
    seed_case(sessions)
    with sessions.begin() as session:
        token = create_api_key(session, name="relay", scopes=["events:write"], now=NOW)[1]
    system = build_system(
        Settings(database_url=postgres_url, outbox_dir=tmp_path / "out"),
        clock=SimulatedClock(NOW),
        engine=engine,
    )
    barrier = Barrier(10)

    def deliver(n: int) -> int:
        with TestClient(system.web(), raise_server_exceptions=False) as client:
            barrier.wait()
            first = _stop(client, token, "stop-1")
            barrier.wait()
            return first * 1000 + _stop(client, token, f"stop-retry-{n}")

    with ThreadPoolExecutor(10) as pool:
        statuses = sorted(pool.map(deliver, range(10)))
    assert sorted(s // 1000 for s in statuses) == [200] * 9 + [202]
    assert [s % 1000 for s in statuses] == [202] * 10

    def work(_: int) -> int:
        barrier.wait()
        return system.inbox.apply_due(batch=1)

    barrier = Barrier(4)
    with ThreadPoolExecutor(4) as pool:
        assert sum(pool.map(work, range(4))) == 11
    with sessions() as session:
        stored = session.scalars(select(InboxEvent.status).where(InboxEvent.kind == "message.received"))
        assert sorted(stored) == ["done"] * 11
        assert session.scalar(select(func.count()).select_from(OptOut)) == 1
        assert session.scalars(select(OutboxAction.template)).all() == ["opt-out-confirmation"]
    engine.dispose()
