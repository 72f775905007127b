"""Salesforce through the write-back runner on SQLite and PostgreSQL: Tasks and Account figures from the
feed; replaying the whole feed updates the same Tasks; an expired session is a dead letter at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.fakes import salesforce as fake_salesforce
from tests.conversations.support import NOW
from tests.providers.crm_writeback import crm_runner, seed_events, settings_for
from tests.writeback.support import ledger, rewind


@pytest.fixture
def org() -> Iterator[fake_salesforce.SalesforceFake]:
    running = fake_salesforce.start()
    yield running
    running.stop()


def test_the_feed_reaches_salesforce_once(
    sessions: sessionmaker[Session], org: fake_salesforce.SalesforceFake, tmp_path: Path
) -> None:
    account = org.state.add_account("cust-1", "Dana Reyes")
    _, ids = seed_events(sessions)
    runner = crm_runner(settings_for(org.env, tmp_path), sessions, SimulatedClock(NOW))
    for _ in range(2):
        runner.run_pass()
        rewind(sessions, "salesforce")
    runner.run_pass()

    tasks = {t["Arrears_Event_Id__c"]: t for t in org.state.all("Task")}
    assert set(tasks) == {ids["outcome.recorded"], ids["task.opened"]}
    assert {t["WhatId"] for t in tasks.values()} == {account}
    (stored,) = org.state.all("Account")
    assert (stored["Arrears_Balance__c"], stored["Arrears_Currency__c"]) == (243.5, "USD")
    assert {row.status for row in ledger(sessions).values()} <= {"delivered"}


def test_an_expired_session_is_a_dead_letter_with_its_fix(
    sessions: sessionmaker[Session], org: fake_salesforce.SalesforceFake, tmp_path: Path
) -> None:
    org.state.add_account("cust-1")
    _, ids = seed_events(sessions)
    env = {**org.env, "ARREARS_SALESFORCE_SESSION_ID": "00D!expired"}
    crm_runner(settings_for(env, tmp_path), sessions, SimulatedClock(NOW)).run_pass()

    row = ledger(sessions)[ids["task.opened"]]
    assert row.status == "dead" and "ARREARS_SALESFORCE_SESSION_ID" in (row.last_error or "")
    assert org.state.all("Task") == []
