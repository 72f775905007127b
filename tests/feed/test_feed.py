"""The feed: events published in the transaction that makes the change, read in commit order, with a
cursor per consumer that never passes an event whose transaction commits late."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from arrears.feed import EventKind, advance, publish, read, read_after
from arrears.store.db import make_engine, session_factory
from tests.feed.support import settled

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _settled(sessions: sessionmaker[Session], count: int) -> list[str]:
    return [e.entity_id for e in settled(sessions, lambda seen: len(seen) >= count)]


def _publish(sessions: sessionmaker[Session], n: int) -> str:
    with sessions.begin() as session:
        return publish(session, EventKind.TASK_OPENED, f"task-{n}", NOW, case_id="c1", data={"n": n}).id


def test_events_come_back_in_order_and_each_consumer_keeps_its_place(sessions: sessionmaker[Session]) -> None:
    ids = [_publish(sessions, n) for n in range(5)]
    assert len(_settled(sessions, 5)) == 5
    with sessions.begin() as session:
        first = read(session, "crm", limit=3)
        assert [e.id for e in first] == ids[:3]
        assert first[0].kind == "task.opened" and first[0].entity == "task" and first[0].data == {"n": 0}
        advance(session, "crm", first[-1].position, NOW)
    with sessions.begin() as session:
        assert [e.id for e in read(session, "crm")] == ids[3:]
        assert [e.id for e in read(session, "webhooks")] == ids  # another consumer starts at the beginning
        advance(session, "crm", first[0].position, NOW)  # a cursor never goes back
        assert [e.id for e in read(session, "crm")] == ids[3:]


def test_a_rolled_back_change_leaves_no_event(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(RuntimeError), sessions.begin() as session:
        publish(session, EventKind.HOLD_PLACED, "h1", NOW)
        raise RuntimeError("the change failed")
    with sessions() as session:
        assert read_after(session, (0, 0)) == []


@pytest.mark.postgres
def test_a_reader_waits_for_a_transaction_still_in_flight(postgres_url: str) -> None:
    """Sequence numbers are handed out at insert, not at commit: a reader must not pass a number whose
    transaction has not committed yet, or it would never see that event. (SQLite has one writer at a
    time: insert order is commit order there.)"""
    engine = make_engine(postgres_url)
    sessions = session_factory(engine)
    slow = sessions()
    slow.begin()
    publish(slow, EventKind.TASK_OPENED, "slow", NOW)  # takes the lower sequence number
    slow.flush()
    fast_id = _publish(sessions, 1)  # a higher number, committed first
    with sessions() as session:
        assert read_after(session, (0, 0)) == []  # the slow transaction may still commit below it
    slow.commit()
    slow.close()
    seen = _settled(sessions, 2)
    engine.dispose()
    assert seen == ["slow", "task-1"] and fast_id
