"""Who may call what: missing, malformed, wrong, revoked keys and missing scopes, as problem documents."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.api.keys import hash_key
from arrears.store.models import ApiKey, InboxEvent
from tests.api.conftest import auth
from tests.events.support import invoice_created

BODY = invoice_created(1, account="a1", customer="c1")


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "instance", "errors"} <= body.keys()
    assert body["status"] == status
    return body


def test_keys_are_stored_hashed(sessions: sessionmaker[Session], keys: dict[str, str]) -> None:
    with sessions() as session:
        stored = {k.name: k for k in session.scalars(select(ApiKey))}
    token = keys["writer"]
    assert token.startswith(f"arr_{stored['writer'].prefix}_")
    assert stored["writer"].key_hash == hash_key(token) and token not in stored["writer"].key_hash
    assert stored["writer"].scopes == ["events:write"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer nonsense"}],
    ids=["missing", "not-bearer", "malformed"],
)
def test_no_valid_key_is_401(client: TestClient, keys: dict[str, str], headers: dict[str, str]) -> None:
    response = client.post("/v1/events", json=BODY, headers={**headers, "Idempotency-Key": "k"})
    body = _problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert body["instance"] == "/v1/events"


def test_right_prefix_wrong_secret_is_401(client: TestClient, keys: dict[str, str]) -> None:
    token = keys["writer"]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    _problem(client.post("/v1/events", json=BODY, headers=auth(forged, "k")), 401)


def test_revoked_key_is_401(
    client: TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    _problem(client.post("/v1/events", json=BODY, headers=auth(keys["revoked"], "k")), 401)
    _problem(client.get("/v1/cases", headers=auth(keys["revoked"])), 401)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboxEvent)) == 0


def test_wrong_scope_is_403(client: TestClient, keys: dict[str, str]) -> None:
    body = _problem(client.post("/v1/events", json=BODY, headers=auth(keys["reader"], "k")), 403)
    assert "events:write" in body["detail"]
    _problem(client.get("/v1/cases", headers=auth(keys["writer"])), 403)
    assert client.get("/v1/cases", headers=auth(keys["reader"])).status_code == 200
    assert client.post("/v1/events", json=BODY, headers=auth(keys["writer"], "k")).status_code == 202


def test_openapi_is_public_and_documents_the_events(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/v1/events" in spec["paths"] and "/v1/cases/{case_id}" in spec["paths"]
    schemas = spec["components"]["schemas"]
    assert {"InvoiceCreated", "PaymentReceived", "CustomerUpdated", "Problem"} <= schemas.keys()
