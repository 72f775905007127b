"""`arrears tasks resolve ... --plan-amount` takes money from a person: a negative or out-of-bound
instalment is refused (exit 1, the limit named) and the task stays open."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.cli.test_work_commands import _dispute, _run


@pytest.mark.parametrize(("amount", "says"), [("-60.00", "negative"), ("1" + "0" * 30, "maximum")])
def test_a_plan_amount_out_of_bounds_is_refused(
    database_url: str, sessions: sessionmaker[Session], amount: str, says: str
) -> None:
    _dispute(sessions)
    (task,) = [json.loads(line) for line in _run(database_url, "tasks", "list", "--json").output.splitlines()]
    plan = ["--plan-amount", amount, "--plan-currency", "USD", "--plan-first", "2026-04-01"]
    refused = _run(database_url, "tasks", "resolve", task["id"], "plan_agreed", "--by", "ana", *plan)
    assert refused.exit_code == 1 and says in refused.output, refused.output
    (still,) = [
        json.loads(line) for line in _run(database_url, "tasks", "list", "--json").output.splitlines()
    ]
    assert still["status"] == "open"
