"""/v1/tasks and /v1/holds: the queue read with `read`, worked with `work`; refusals are problems."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from arrears.agent.dialogue import OpenTask, Urgency
from arrears.api.keys import create_api_key
from arrears.conversations.effects import Where, open_escalation
from arrears.store.models import Case
from tests.api.conftest import auth
from tests.conversations.support import NOW, seed_case


def _worker_key(sessions: sessionmaker[Session]) -> str:
    with sessions.begin() as session:
        _, token = create_api_key(session, name="desk", scopes=["read", "work"], now=NOW)
    return token


def _hardship(sessions: sessionmaker[Session]) -> str:
    case_id = seed_case(sessions)
    with sessions.begin() as session:
        case = session.get(Case, case_id)
        assert case is not None
        where = Where("conv-1", case_id, case.customer_id, "sms", "m1", None)
        open_escalation(session, OpenTask("hardship", "hours cut", Urgency.HIGH), where, NOW)
    return case_id


def _post(client: TestClient, token: str, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json=body, headers=auth(token))


def test_a_plan_agreed_through_the_api(
    client: TestClient, sessions: sessionmaker[Session], keys: dict[str, str]
) -> None:
    case_id = _hardship(sessions)
    desk = _worker_key(sessions)
    (task,) = client.get("/v1/tasks", headers=auth(keys["reader"])).json()
    assert (task["reason"], task["priority"], task["case_id"]) == ("hardship", 1, case_id)
    forbidden = _post(client, keys["reader"], f"/v1/tasks/{task['id']}/claim", {"by": "ana"})
    assert forbidden.status_code == 403
    assert _post(client, desk, f"/v1/tasks/{task['id']}/claim", {"by": "ana"}).json()["owner"] == "ana"
    taken = _post(client, desk, f"/v1/tasks/{task['id']}/claim", {"by": "ben"})
    assert taken.status_code == 409 and "claimed by ana" in taken.json()["detail"]
    plan = {"amount": "60.00", "currency": "USD", "first_due_on": "2026-03-25", "instalments": 4}
    body = {"by": "ana", "resolution": "plan_agreed", "plan": plan, "note": "four monthly payments"}
    resolved = _post(client, desk, f"/v1/tasks/{task['id']}/resolve", body)
    assert resolved.status_code == 200, resolved.text
    assert (resolved.json()["status"], resolved.json()["resolution"]) == ("done", "plan_agreed")
    detail = client.get(f"/v1/cases/{case_id}", headers=auth(keys["reader"])).json()
    assert [p["status"] for p in detail["promises"]] == ["pending", "scheduled", "scheduled", "scheduled"]
    assert [h["status"] for h in detail["holds"]] == ["released"]
    again = _post(client, desk, f"/v1/tasks/{task['id']}/resolve", {**body, "resolution": "resume"})
    assert again.status_code == 409


def test_holds_listed_and_released(
    client: TestClient, sessions: sessionmaker[Session], keys: dict[str, str]
) -> None:
    _hardship(sessions)
    desk = _worker_key(sessions)
    (hold,) = client.get("/v1/holds", headers=auth(keys["reader"])).json()
    assert (hold["kind"], hold["status"]) == ("hardship", "active")
    lifted = _post(client, desk, f"/v1/holds/{hold['id']}/release", {"by": "ana", "reason": "job back"})
    assert (lifted.status_code, lifted.json()["released_by"]) == (200, "ana")
    assert client.get("/v1/holds", headers=auth(keys["reader"])).json() == []
    missing = _post(client, desk, "/v1/holds/nope/release", {"by": "ana", "reason": "x"})
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
