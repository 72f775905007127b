"""People work cases from the command line before the dashboard exists: the queue, claiming, resolving
(the case moves on), lifting holds; the inbox's failures shown and replayed; the feed tailed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from arrears.agent.dialogue import OpenTask, Urgency
from arrears.cli.main import app
from arrears.conversations.effects import Where, open_escalation
from arrears.inbox import receive
from arrears.store.models import Case, Hold, InboxEvent, Task
from tests.conversations.support import NOW, seed_case


def _run(database_url: str, *args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--database", database_url])
    return result


def _dispute(sessions: sessionmaker[Session]) -> str:
    case_id = seed_case(sessions)
    with sessions.begin() as session:
        case = session.get(Case, case_id)
        assert case is not None
        where = Where("conv-1", case_id, case.customer_id, "sms", "m1", None)
        open_escalation(session, OpenTask("dispute", "not my debt", Urgency.NORMAL), where, NOW)
    return case_id


def test_a_person_claims_and_resolves_a_dispute(database_url: str, sessions: sessionmaker[Session]) -> None:
    case_id = _dispute(sessions)
    listed = _run(database_url, "tasks", "list", "--json")
    assert listed.exit_code == 0, listed.output
    (task,) = [json.loads(line) for line in listed.output.splitlines()]
    assert (task["reason"], task["case_id"], task["status"]) == ("dispute", case_id, "open")
    claimed = _run(database_url, "tasks", "claim", task["id"], "--by", "ana")
    assert claimed.exit_code == 0 and json.loads(claimed.output)["owner"] == "ana"
    taken = _run(database_url, "tasks", "claim", task["id"], "--by", "ben")
    assert taken.exit_code == 1 and "claimed by ana" in taken.output
    wrong = _run(database_url, "tasks", "resolve", task["id"], "plan_agreed", "--by", "ana")
    assert wrong.exit_code == 1 and "needs the plan" in wrong.output
    done = _run(
        database_url, "tasks", "resolve", task["id"], "dispute_rejected", "--by", "ana", "--note", "sent"
    )
    assert done.exit_code == 0, done.output
    assert (json.loads(done.output)["status"], json.loads(done.output)["resolution"]) == (
        "done",
        "dispute_rejected",
    )
    with sessions() as session:
        assert session.scalars(select(Hold.status)).one() == "released"
        assert session.scalars(select(Task.status)).one() == "done"
    assert _run(database_url, "tasks", "list", "--json").output == ""


def test_a_person_lifts_a_hold(database_url: str, sessions: sessionmaker[Session]) -> None:
    _dispute(sessions)
    (hold,) = [json.loads(line) for line in _run(database_url, "holds", "list", "--json").output.splitlines()]
    assert (hold["kind"], hold["status"], hold["placed_by"]) == ("dispute", "active", "agent")
    released = _run(database_url, "holds", "release", hold["id"], "--by", "ana", "--reason", "verified")
    assert released.exit_code == 0, released.output
    assert json.loads(released.output)["released_by"] == "ana"
    again = _run(database_url, "holds", "release", hold["id"], "--by", "ana", "--reason", "again")
    assert again.exit_code == 1 and "is released" in again.output


def test_failed_inputs_are_shown_and_replayed_and_the_feed_tails(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    _dispute(sessions)
    with sessions.begin() as session:
        stored = receive(
            session, source="api:x", external_id="k1", kind="payment.received", payload={}, now=NOW
        )
        row = session.get(InboxEvent, stored.event.id)
        assert row is not None
        row.status, row.error, row.attempts = "failed", "account_external_id: unknown account 'a9'", 6
    listed = _run(database_url, "inbox", "list", "--status", "failed", "--json")
    (shown,) = [json.loads(line) for line in listed.output.splitlines()]
    assert shown["error"] == "account_external_id: unknown account 'a9'" and shown["attempts"] == 6
    detail = json.loads(_run(database_url, "inbox", "show", stored.event.id).output)
    assert detail["kind"] == "payment.received" and detail["payload"] == {}
    assert _run(database_url, "inbox", "replay").exit_code == 2  # names nothing: refused
    replayed = _run(database_url, "inbox", "replay", stored.event.id)
    assert replayed.exit_code == 0 and "1 input(s) queued again" in replayed.output
    with sessions() as session:
        assert session.get(InboxEvent, stored.event.id).status == "pending"  # type: ignore[union-attr]
    tail = [json.loads(line) for line in _run(database_url, "events", "tail").output.splitlines()]
    kinds = [event["kind"] for event in tail]
    assert kinds[:1] == ["case.opened"] and {"hold.placed", "task.opened"} <= set(kinds)
    after = tail[0]["position"]
    rest = [
        json.loads(line)
        for line in _run(database_url, "events", "tail", "--after", after).output.splitlines()
    ]
    assert [e["id"] for e in rest] == [e["id"] for e in tail[1:]]


def test_work_commands_on_a_missing_database_say_so_and_create_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    for args in (
        ("tasks", "list"),
        ("tasks", "claim", "t1", "--by", "ana"),
        ("holds", "list"),
        ("inbox", "list"),
    ):
        result = _run(f"sqlite:///{missing}", *args)
        assert result.exit_code == 2, (args, result.output)
        assert "does not exist" in result.output and len(result.output.strip().splitlines()) == 1
    assert not missing.exists()
