"""A plan's instalment typed at the desk is money from outside: bounded and never negative, a 422 naming
plan.amount, with the task left open."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.conftest import auth
from tests.api.test_work_api import _hardship, _post, _worker_key


@pytest.mark.parametrize("amount", ["-60.00", "1" + "0" * 30, "92233720368547758.08"])
def test_a_plan_amount_out_of_bounds_is_refused_and_the_task_stays_open(
    client: TestClient, sessions: sessionmaker[Session], keys: dict[str, str], amount: str
) -> None:
    _hardship(sessions)
    desk = _worker_key(sessions)
    (task,) = client.get("/v1/tasks", headers=auth(keys["reader"])).json()
    plan = {"amount": amount, "currency": "USD", "first_due_on": "2026-03-25", "instalments": 4}
    body = {"by": "ana", "resolution": "plan_agreed", "plan": plan}
    refused = _post(client, desk, f"/v1/tasks/{task['id']}/resolve", body)
    assert refused.status_code == 422, refused.text
    assert "plan.amount" in refused.json()["detail"]
    (still,) = client.get("/v1/tasks", headers=auth(keys["reader"])).json()
    assert still["id"] == task["id"]
