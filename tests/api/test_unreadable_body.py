"""A body that is not UTF-8 is a malformed body like invalid JSON: a 422 problem naming the body, on every
route that takes one, never FastAPI's bare 400 that no route documents (found by schemathesis)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import auth

NOT_UTF8 = b"\xff\xfe\x15\x9aZ\x1cTE"


@pytest.mark.parametrize(
    "path", ["/v1/events", "/v1/tasks/t1/claim", "/v1/holds/h1/release", "/v1/chat", "/v1/chat/c1/messages"]
)
def test_a_body_that_is_not_utf8_is_a_422_naming_the_body(
    client: TestClient, keys: dict[str, str], path: str
) -> None:
    headers = auth(keys["writer"], "k-1") | {"Content-Type": "application/json"}
    response = client.post(path, content=NOT_UTF8, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:arrears:problem:validation-error"
    assert [(e["location"], e["type"]) for e in problem["errors"]] == [("body", "json_invalid")]


def test_invalid_json_and_undecodable_bytes_name_the_body_alike(
    client: TestClient, keys: dict[str, str]
) -> None:
    headers = auth(keys["writer"], "k-2") | {"Content-Type": "application/json"}
    bad_json = client.post("/v1/events", content=b"{not json", headers=headers).json()["errors"]
    bad_bytes = client.post("/v1/events", content=NOT_UTF8, headers=headers).json()["errors"]
    assert [(e["location"], e["field"], e["type"]) for e in bad_json] == [("body", "", "json_invalid")]
    assert [(e["location"], e["field"], e["type"]) for e in bad_bytes] == [("body", "", "json_invalid")]
