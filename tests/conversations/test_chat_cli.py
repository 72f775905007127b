"""`arrears chat ACCOUNT --database URL` plays a stored customer through the conversation service."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from arrears.cli.main import app
from arrears.store.models import Conversation, Outcome, Promise
from tests.conversations.support import seed_case


def test_chat_with_a_stored_account_books_a_promise(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    seed_case(sessions)
    turns = "yes that's me\n10001\nI can pay 100 next friday\nyes\n"
    result = CliRunner().invoke(app, ["chat", "acct-1", "--database", database_url], input=turns)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("agent> Hello, this is an automated assistant")
    assert "$243.50" in result.output
    summary = json.loads(result.output[result.output.index("{") :])
    assert (summary["routing"], summary["promise_amount_minor"]) == ("booked", 10000)
    with sessions() as session:
        assert session.scalars(select(Promise.amount_minor)).one() == 10000
        assert session.scalars(select(Outcome.id)).one() == summary["outcome_id"]
        assert session.scalars(select(Conversation.provider)).one() == "terminal"


def test_chat_without_an_open_case_fails_cleanly(database_url: str) -> None:
    result = CliRunner().invoke(app, ["chat", "no-such-account", "--database", database_url], input="")
    assert result.exit_code == 1 and "no open case" in result.output
