"""A NUL byte or a lone surrogate in a work or chat body is a 422 naming the field, on both databases,
never the 500 PostgreSQL's refusal of such text used to give (found by schemathesis on a served API)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from arrears.api.keys import create_api_key
from tests.api.conftest import auth
from tests.api.test_work_api import _hardship
from tests.conversations.support import NOW

UNSTORABLE = ["ana\x00", "ana\ud896"]


def _post(client: TestClient, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    """As a client's JSON encoder sends it: a lone surrogate escaped as \\udXXX, a NUL as \\u0000."""
    headers = headers | {"Content-Type": "application/json"}
    return client.post(path, content=json.dumps(body), headers=headers)


def _desk(sessions: sessionmaker[Session]) -> str:
    with sessions.begin() as session:
        _, token = create_api_key(session, name="desk", scopes=["read", "work", "chat"], now=NOW)
    return token


@pytest.mark.parametrize("text", UNSTORABLE)
def test_unstorable_text_in_a_work_body_is_a_422_naming_the_field(
    client: TestClient, sessions: sessionmaker[Session], text: str
) -> None:
    _hardship(sessions)
    desk = _desk(sessions)
    (task,) = client.get("/v1/tasks", headers=auth(desk)).json()
    for verb, body, field in [
        ("reassign", {"by": text, "owner": "ben"}, "by"),
        ("reassign", {"by": "lead", "owner": text}, "owner"),
        ("claim", {"by": text}, "by"),
        ("resolve", {"by": "ana", "resolution": "resume", "note": text}, "note"),
    ]:
        response = _post(client, f"/v1/tasks/{task['id']}/{verb}", body, auth(desk))
        assert response.status_code == 422, (verb, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field]
    after = client.get("/v1/tasks", headers=auth(desk)).json()
    assert [(t["id"], t["owner"], t["status"]) for t in after] == [(task["id"], None, "open")]


@pytest.mark.parametrize("text", UNSTORABLE)
def test_unstorable_text_in_a_chat_message_is_a_422_naming_the_field(
    client: TestClient, sessions: sessionmaker[Session], text: str
) -> None:
    desk = _desk(sessions)
    response = _post(client, "/v1/chat/conv-1/messages", {"text": text}, auth(desk, "m-1"))
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["text"]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/tasks?team=%0064&owner=ana",
        "/v1/tasks?owner=%00",
        "/v1/tasks?case_id=c%00",
        "/v1/holds?case_id=%00",
        "/v1/tasks/t%00/claim",
    ],
)
def test_a_nul_byte_in_a_query_or_path_parameter_is_a_422_naming_it(
    client: TestClient, sessions: sessionmaker[Session], path: str
) -> None:
    """Found by schemathesis on PostgreSQL: `GET /v1/tasks?team=%00...` came back as a 500."""
    desk = _desk(sessions)
    verb = client.post if path.endswith("/claim") else client.get
    kwargs: dict[str, Any] = {"json": {"by": "ana"}} if path.endswith("/claim") else {}
    response = verb(path, headers=auth(desk), **kwargs)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert errors and all("NUL byte" in e["detail"] for e in errors)
    named = {e["field"] for e in errors}
    expected = {"task_id"} if path.endswith("/claim") else {path.split("?")[1].split("=")[0]}
    assert expected <= named
