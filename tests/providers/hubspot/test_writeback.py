"""HubSpot through the write-back runner on SQLite and PostgreSQL: a note, a task and the company's
figures from the feed; replaying the whole feed changes nothing; a 429 waits as HubSpot's policy says."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.fakes import hubspot as fake_hubspot
from tests.conversations.support import NOW
from tests.providers.crm_writeback import crm_runner, seed_events, settings_for
from tests.writeback.support import ledger, rewind


@pytest.fixture
def hub() -> Iterator[fake_hubspot.HubSpotFake]:
    running = fake_hubspot.start()
    yield running
    running.stop()


def test_the_feed_reaches_hubspot_once(
    sessions: sessionmaker[Session], hub: fake_hubspot.HubSpotFake, tmp_path: Path
) -> None:
    company = hub.state.add_record("companies", arrears_customer_id="cust-1", name="Dana Reyes")
    _, ids = seed_events(sessions)
    runner = crm_runner(settings_for(hub.env, tmp_path), sessions, SimulatedClock(NOW))
    for _ in range(2):
        runner.run_pass()
        rewind(sessions, "hubspot")  # an operator replaying the whole feed
    runner.run_pass()

    (note,) = hub.state.created("notes")
    (task,) = hub.state.created("tasks")
    assert note["properties"]["arrears_event_id"] == ids["outcome.recorded"]
    assert "Arrears outcome: booked" in note["properties"]["hs_note_body"]
    assert task["properties"]["arrears_event_id"] == ids["task.opened"]
    figures = hub.state.objects["companies"][company]["properties"]
    assert (figures["arrears_balance"], figures["arrears_currency"]) == ("243.50", "USD")
    assert {row.status for row in ledger(sessions).values()} <= {"delivered"}


def test_a_rate_limit_is_retried_after_the_policys_window(
    sessions: sessionmaker[Session], hub: fake_hubspot.HubSpotFake, tmp_path: Path
) -> None:
    hub.state.add_record("companies", arrears_customer_id="cust-1")
    _, ids = seed_events(sessions)
    clock = SimulatedClock(NOW)
    runner = crm_runner(settings_for(hub.env, tmp_path), sessions, clock)
    hub.state.recorder.fail_next(fake_hubspot.rate_limited())
    runner.run_pass()

    row = ledger(sessions)[ids["outcome.recorded"]]
    assert row.status == "retrying" and row.next_attempt_at is not None
    assert row.next_attempt_at >= NOW + timedelta(seconds=10)
    clock.advance(timedelta(minutes=5))
    runner.run_pass()
    assert len(hub.state.created("notes")) == 1 and len(hub.state.created("tasks")) == 1
