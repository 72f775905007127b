"""POST /v1/events: stored once and answered 202, applied by the worker, its fate readable at
GET /v1/events/{id}; replays answered from the inbox, bad bodies named field by field before anything is
stored, and what only applying can find (an unknown account) a problem on the stored event."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.inbox import inbox_id
from arrears.store.models import Case, Customer, InboxEvent, Invoice, Payment
from arrears.system import System
from tests.api.conftest import auth
from tests.events.support import dump, invoice_created, payment, stream


def _post(client: TestClient, token: str, key: str, body: Any) -> Any:
    return client.post("/v1/events", json=body, headers=auth(token, key))


def _stored(client: TestClient, token: str, key: str, body: Any) -> dict[str, Any]:
    response = _post(client, token, key, body)
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/v1/events/{response.json()['id']}"
    stored: dict[str, Any] = response.json()
    app: Any = client.app
    app.state.clock.advance(timedelta(milliseconds=1))  # the next event arrives after this one
    return stored


def _count(sessions: sessionmaker[Session], model: type[Any]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_every_event_type_is_applied(
    client: TestClient, keys: dict[str, str], sessions: sessionmaker[Session], system: System
) -> None:
    ids = []
    for key, body in stream():
        accepted = _stored(client, keys["writer"], key, body)
        assert (accepted["type"], accepted["status"], accepted["idempotency_key"]) == (
            body["type"],
            "pending",
            key,
        )
        ids.append(accepted["id"])
    assert system.inbox.apply_due() == len(ids)
    for event_id in ids:
        status = client.get(f"/v1/events/{event_id}", headers=auth(keys["writer"])).json()
        assert (status["status"], status["attempts"], status["problem"]) == ("done", 1, None)
    with sessions() as session:
        kinds = {row.kind for row in session.scalars(select(InboxEvent))}
        assert kinds == {
            "invoice.created",
            "invoice.updated",
            "invoice.paid",
            "payment.received",
            "customer.updated",
        }
        assert all(row.source.startswith("api:") for row in session.scalars(select(InboxEvent)))
        assert session.scalars(select(Customer.tier).where(Customer.external_id == "c1")).one() == "gold"
        assert session.scalar(select(func.sum(Payment.amount_minor))) == 21000
        statuses = dict(session.execute(select(Invoice.external_id, Invoice.status)).tuples().all())
        assert statuses == {"inv-1": "paid", "inv-2": "paid", "inv-3": "paid", "inv-4": "paid"}
        assert set(session.scalars(select(Case.status))) == {"closed"}


def test_replaying_every_event_leaves_identical_state(
    client: TestClient,
    keys: dict[str, str],
    sessions: sessionmaker[Session],
    clock: SimulatedClock,
    system: System,
) -> None:
    for key, body in stream():
        _stored(client, keys["writer"], key, body)
    system.inbox.apply_due()
    first = {
        key: client.get(
            f"/v1/events/{inbox_id('api:' + _prefix(keys['writer']), key)}", headers=auth(keys["writer"])
        ).json()
        for key, _ in stream()
    }
    with sessions() as session:
        before = dump(session)
    clock.advance(timedelta(minutes=5))
    for key, body in stream():
        response = _post(client, keys["writer"], key, body)
        assert response.status_code == 200
        assert response.headers["idempotent-replayed"] == "true"
        assert response.json() == first[key]
    assert system.inbox.apply_due() == 0
    with sessions() as session:
        assert dump(session) == before


def test_same_key_with_another_body_is_refused(
    client: TestClient, keys: dict[str, str], sessions: sessionmaker[Session], system: System
) -> None:
    body = invoice_created(1, account="a1", customer="c1")
    _stored(client, keys["writer"], "k1", body)
    system.inbox.apply_due()
    response = _post(client, keys["writer"], "k1", {**body, "amount": "999.00"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:arrears:problem:idempotency-key-reused"
    assert problem["errors"][0]["location"] == "header" and problem["errors"][0]["field"] == "Idempotency-Key"
    with sessions() as session:
        assert session.scalars(select(Invoice.amount_minor)).one() == 10000


def test_keys_are_per_api_key(
    client: TestClient, keys: dict[str, str], sessions: sessionmaker[Session], system: System
) -> None:
    """Two clients choosing the same Idempotency-Key do not collide: the source is the key's prefix."""
    body = invoice_created(1, account="a1", customer="c1")
    mine = _stored(client, keys["writer"], "k1", body)
    _stored(client, keys["both"], "k1", body)
    system.inbox.apply_due()
    assert _count(sessions, InboxEvent) == 2 and _count(sessions, Invoice) == 1
    # A client reads its own events; another client without the read scope cannot see them.
    assert client.get(f"/v1/events/{mine['id']}", headers=auth(keys["writer"])).status_code == 200
    assert client.get(f"/v1/events/{mine['id']}", headers=auth(keys["both"])).status_code == 200  # read scope
    other = _stored(client, keys["both"], "k2", body)
    assert client.get(f"/v1/events/{other['id']}", headers=auth(keys["writer"])).status_code == 404


def test_missing_idempotency_key_is_400(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post(
        "/v1/events", json=invoice_created(1, account="a", customer="c"), headers=auth(keys["writer"])
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


def _fields(response: Any) -> set[tuple[str | None, str]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {(e.get("record"), e["field"]) for e in response.json()["errors"]}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ([1, 2], {(None, "")}),
        ({"type": "invoice.deleted"}, {(None, "")}),
        (
            {**invoice_created(1, account="a", customer="c"), "currency": "XXX"},
            {("invoice.created", "currency")},
        ),
        (
            {**invoice_created(1, account="a", customer="c"), "amount": "-5.00"},
            {("invoice.created", "amount")},
        ),
        ({**invoice_created(1, account="a", customer="c"), "amount": 12.5}, {("invoice.created", "amount")}),
        (
            {**invoice_created(1, account="a", customer="c"), "amount": "1.005"},
            {("invoice.created", "amount")},
        ),
        (
            {**invoice_created(1, account="a", customer="c"), "balance": "200"},
            {("invoice.created", "balance")},
        ),
        (
            {**invoice_created(1, account="a", customer="c"), "time_zone": "Mars/Base"},
            {("invoice.created", "time_zone")},
        ),
        ({**invoice_created(1, account="a", customer="c"), "colour": "red"}, {("invoice.created", "colour")}),
        (
            {"type": "payment.received", "account_external_id": "a"},
            {("payment.received", f) for f in ("payment_external_id", "currency", "amount", "received_at")},
        ),
        (
            {**payment(1, account="a", amount="0"), "received_at": "2026-03-09T10:00:00"},
            {("payment.received", "amount"), ("payment.received", "received_at")},
        ),
    ],
    ids=[
        "not-an-object",
        "unknown-type",
        "unknown-currency",
        "negative",
        "float",
        "inexact",
        "balance>amount",
        "time-zone",
        "extra-field",
        "missing-fields",
        "zero-and-naive",
    ],
)
def test_bad_bodies_name_the_record_and_field(
    client: TestClient,
    keys: dict[str, str],
    sessions: sessionmaker[Session],
    body: Any,
    expected: set[tuple[str | None, str]],
) -> None:
    assert _fields(_post(client, keys["writer"], "k", body)) == expected
    assert _count(sessions, InboxEvent) == 0 and _count(sessions, Customer) == 0


def test_invalid_json_is_a_problem(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post(
        "/v1/events",
        content=b"{nope",
        headers={**auth(keys["writer"], "k"), "Content-Type": "application/json"},
    )
    assert _fields(response) == {(None, "")}
    assert response.json()["errors"][0]["location"] == "body"


def test_an_unknown_account_fails_the_stored_event_with_a_problem_and_a_retry(
    client: TestClient,
    keys: dict[str, str],
    sessions: sessionmaker[Session],
    system: System,
    clock: SimulatedClock,
) -> None:
    """Only applying can find that the account is unknown: the event stays stored, failed, with the field
    named; it is tried again with backoff, and goes through once its account exists."""
    stored = _stored(client, keys["writer"], "k", payment(1, account="ghost", amount="5.00"))
    system.inbox.apply_due()
    status = client.get(f"/v1/events/{stored['id']}", headers=auth(keys["writer"])).json()
    assert (status["status"], status["attempts"]) == ("failed", 1)
    problem = status["problem"]
    assert problem["type"] == "urn:arrears:problem:unknown-account"
    assert problem["errors"][0]["field"] == "account_external_id" and "ghost" in problem["detail"]
    assert status["next_attempt_at"] is not None and _count(sessions, Payment) == 0
    _stored(client, keys["writer"], "k0", invoice_created(1, account="ghost", customer="c"))
    system.inbox.apply_due()  # the invoice arrives; the payment waits for its retry time
    clock.advance(timedelta(minutes=1))
    system.inbox.apply_due()
    status = client.get(f"/v1/events/{stored['id']}", headers=auth(keys["writer"])).json()
    assert (status["status"], status["attempts"], status["problem"]) == ("done", 2, None)
    assert _count(sessions, Payment) == 1


def test_a_clash_with_the_store_rolls_back_everything(
    client: TestClient, keys: dict[str, str], sessions: sessionmaker[Session], system: System
) -> None:
    _stored(client, keys["writer"], "k1", invoice_created(1, account="a1", customer="c1"))
    clash = _stored(client, keys["writer"], "k2", invoice_created(2, account="a1", customer="c2"))
    system.inbox.apply_due()
    status = client.get(f"/v1/events/{clash['id']}", headers=auth(keys["writer"])).json()
    assert status["status"] == "failed" and status["next_attempt_at"] is None  # a contradiction: no retry
    assert status["problem"]["errors"][0]["field"] == "account_external_id"
    with sessions() as session:
        assert list(session.scalars(select(Customer.external_id))) == ["c1"]
    assert _count(sessions, InboxEvent) == 2


def _prefix(token: str) -> str:
    return token.split("_")[1]
