"""Slack alerts: only task.opened, all of one pass's tasks in ONE message, nothing personal beyond case id,
reason, amount and owner; Slack's answers mapped (429 waits its Retry-After, 403 invalid_token is dead)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.fakes import slack as fake_slack
from arrears.fakes.slack import SlackHook
from arrears.feed import EventKind, publish
from arrears.providers.slack import SlackAlerts, SlackConfig, url_check
from arrears.providers.slack.message import MAX_TASKS, tasks_message
from tests.conversations.support import NOW, PHONE
from tests.writeback.support import ledger, runner, seed_payments, visible


@pytest.fixture
def hook() -> Iterator[SlackHook]:
    running = fake_slack.start()
    yield running
    running.stop()


def alerts(hook: SlackHook) -> SlackAlerts:
    return SlackAlerts(SlackConfig(hook.url, "https://arrears.example.com/v1/cases/{case_id}"))


def open_tasks(sessions: sessionmaker[Session], case_id: str, reasons: list[str]) -> list[str]:
    ids = []
    for n, reason in enumerate(reasons):
        with sessions.begin() as session:
            data = {"reason": reason, "team": "collections", "priority": 2, "summary": f"Dana said {PHONE}"}
            at = NOW + timedelta(minutes=n)
            ids.append(
                publish(session, EventKind.TASK_OPENED, f"task-{n}", at, case_id=case_id, data=data).id
            )
    visible(sessions)
    return ids


def test_one_message_per_pass_listing_only_opened_tasks(
    sessions: sessionmaker[Session], hook: SlackHook
) -> None:
    case_id, _ = seed_payments(sessions, 2)  # routine events: never alerted
    open_tasks(sessions, case_id, ["dispute", "hardship", "legal_language"])
    run = runner(sessions, SimulatedClock(NOW), [alerts(hook)])
    run.run_pass()

    (message,) = hook.messages
    assert message["text"] == "3 tasks need a person"
    lines = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    assert [line.split("*")[1] for line in lines] == ["dispute", "hardship", "legal language"]
    assert all(f"case `{case_id}`" in line and "USD 243.50 owed" in line for line in lines)
    assert f"<https://arrears.example.com/v1/cases/{case_id}|Open the case>" in lines[0]
    sent = str(message)
    assert "Dana" not in sent and PHONE not in sent  # no name, no summary, no contact details
    run.run_pass()
    assert len(hook.messages) == 1  # nothing new: nothing sent


def test_a_429_is_retried_after_its_delay_with_the_next_tasks_in_one_message(
    sessions: sessionmaker[Session], hook: SlackHook
) -> None:
    case_id, _ = seed_payments(sessions, 0)
    first = open_tasks(sessions, case_id, ["dispute"])
    clock = SimulatedClock(NOW)
    run = runner(sessions, clock, [alerts(hook)])
    hook.fail_next(429, retry_after="60")
    run.run_pass()
    row = ledger(sessions)[first[0]]
    assert hook.messages == [] and row.status == "retrying"
    assert row.next_attempt_at is not None and row.next_attempt_at >= NOW + timedelta(seconds=60)

    open_tasks(sessions, case_id, ["hardship"])
    clock.set(row.next_attempt_at)
    run.run_pass()
    (message,) = hook.messages
    assert message["text"] == "2 tasks need a person"


def test_a_revoked_webhook_is_dead_at_once(sessions: sessionmaker[Session], hook: SlackHook) -> None:
    case_id, _ = seed_payments(sessions, 0)
    (task,) = open_tasks(sessions, case_id, ["dispute"])
    hook.fail_next(403)
    runner(sessions, SimulatedClock(NOW), [alerts(hook)]).run_pass()
    row = ledger(sessions)[task]
    assert row.status == "dead" and "invalid_token" in (row.last_error or "")


def test_a_long_list_stays_within_slacks_fifty_blocks() -> None:
    from datetime import UTC, datetime

    from arrears.feed import FeedEvent

    items = [
        (FeedEvent((0, n), f"e{n}", "task.opened", "task", f"t{n}", f"c{n}", None, {"reason": "x"},
                   datetime(2026, 3, 10, tzinfo=UTC)), None)
        for n in range(60)
    ]  # fmt: skip
    message = tasks_message(items, None)
    assert len(message["blocks"]) <= 50
    assert message["blocks"][-1]["elements"][0]["text"] == f"…and {60 - MAX_TASKS} more in the queue"


def test_the_check_is_the_url_shape_only() -> None:
    assert url_check("https://hooks.slack.com/services/T0123ABC/B0456DEF/abcDEF123")().ok
    result = url_check("https://example.com/hook")()
    assert not result.ok and result.fix and "ARREARS_SLACK_WEBHOOK_URL" in result.fix
    assert url_check("http://127.0.0.1:8123/services/T0/B0/x")().ok  # the local fake, said to be local
