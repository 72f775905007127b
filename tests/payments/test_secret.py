"""The signing key: configured, or generated once per database so every process agrees."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.payments.secret import LinkSecret
from arrears.store.models import AppSecret
from tests.payments.support import NOW


def test_two_processes_on_one_database_share_the_generated_key(sessions: sessionmaker[Session]) -> None:
    clock = SimulatedClock(NOW)
    worker, web = LinkSecret(sessions, clock), LinkSecret(sessions, clock)
    with sessions.begin() as session:  # one made inside a caller's transaction, one in its own
        first = worker.key(session)
    assert web.key() == first and len(first) >= 48
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(AppSecret)) == 1


def test_a_configured_key_is_used_and_nothing_is_stored(sessions: sessionmaker[Session]) -> None:
    assert LinkSecret(sessions, SimulatedClock(NOW), "from-settings").key() == b"from-settings"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(AppSecret)) == 0
