"""Read endpoints: case lists with filters and cursors, a case with everything hanging off it, customers,
outcomes, and not-found / bad-cursor problems."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.store.models import Case, Customer, Hold, Interaction, Outcome, Promise, Task
from tests.api.conftest import auth, post_event
from tests.events.support import NOW, invoice_created, payment


def _seed(client: TestClient, token: str, clock: SimulatedClock) -> None:
    """Four overdue accounts opening a minute apart; a4 is paid off, so its case is closed."""
    for n in range(1, 5):
        body = invoice_created(n, account=f"a{n}", customer=f"c{n}", email=f"c{n}@example.com")
        post_event(client, token, f"i{n}", body)
        clock.advance(timedelta(minutes=1))
    paid = payment(1, account="a4", amount="100.00")
    post_event(client, token, "p1", paid)


def _get(client: TestClient, token: str, url: str, **params: Any) -> Any:
    response = client.get(url, params=params, headers=auth(token))
    assert response.status_code == 200, response.text
    return response.json()


def test_cases_filter_and_page(client: TestClient, keys: dict[str, str], clock: SimulatedClock) -> None:
    _seed(client, keys["writer"], clock)
    reader = keys["reader"]
    everything = _get(client, reader, "/v1/cases")
    assert len(everything["items"]) == 4 and everything["next_cursor"] is None
    assert [c["status"] for c in _get(client, reader, "/v1/cases", status="closed")["items"]] == ["closed"]
    seen, cursor = [], None
    while True:
        page = _get(
            client, reader, "/v1/cases", status="open", limit=1, **({"cursor": cursor} if cursor else {})
        )
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 3 and len({c["id"] for c in seen}) == 3
    assert [c["opened_at"] for c in seen] == sorted(c["opened_at"] for c in seen)
    assert all(c["balance_minor"] == 10000 and c["currency"] == "EUR" for c in seen)


def test_bad_cursor_and_limit_are_problems(client: TestClient, keys: dict[str, str]) -> None:
    response = client.get("/v1/cases", params={"cursor": "%%%"}, headers=auth(keys["reader"]))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "cursor"
    response = client.get("/v1/cases", params={"limit": 0}, headers=auth(keys["reader"]))
    assert response.status_code == 422
    assert response.json()["errors"][0] | {"detail": ""} == {
        "location": "query",
        "field": "limit",
        "detail": "",
        "type": "greater_than_equal",
    }


def test_case_detail_carries_its_history(
    client: TestClient, keys: dict[str, str], clock: SimulatedClock, sessions: sessionmaker[Session]
) -> None:
    _seed(client, keys["writer"], clock)
    with sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.status == "open").order_by(Case.opened_at)).first()
        assert case is not None
        case_id, customer_id = case.id, case.customer_id
        session.add(
            Promise(
                case_id=case_id,
                amount_minor=5000,
                currency="EUR",
                due_on=date(2026, 3, 20),
                channel="voice",
                created_at=NOW,
            )
        )
        session.add(
            Hold(customer_id=customer_id, case_id=None, kind="dispute", scope="customer", created_at=NOW)
        )
        session.add(Task(case_id=case_id, idempotency_key="t1", reason="dispute", due_at=NOW, created_at=NOW))
        interaction = Interaction(
            case_id=case_id,
            customer_id=customer_id,
            channel="voice",
            direction="outbound",
            status="answered",
            occurred_at=NOW,
        )
        session.add(interaction)
        session.flush()
        session.add(
            Outcome(
                idempotency_key="call-1",
                case_id=case_id,
                interaction_id=interaction.id,
                labels=["promise"],
                routing="booked",
                created_at=NOW,
            )
        )
    detail = _get(client, keys["reader"], f"/v1/cases/{case_id}")
    assert detail["id"] == case_id and detail["status"] == "open"
    assert [p["amount_minor"] for p in detail["promises"]] == [5000]
    assert [h["kind"] for h in detail["holds"]] == ["dispute"]
    assert [t["reason"] for t in detail["tasks"]] == ["dispute"]
    assert [i["status"] for i in detail["interactions"]] == ["answered"]
    assert [o["routing"] for o in detail["outcomes"]] == ["booked"]


def test_customer_detail(
    client: TestClient, keys: dict[str, str], clock: SimulatedClock, sessions: sessionmaker[Session]
) -> None:
    _seed(client, keys["writer"], clock)
    with sessions() as session:
        customer_id = session.scalars(select(Customer.id).where(Customer.external_id == "c1")).one()
    body = _get(client, keys["reader"], f"/v1/customers/{customer_id}")
    assert (body["external_id"], body["name"], body["kind"]) == ("c1", "Customer c1", "person")
    assert body["contact_points"] == [
        {"channel": "email", "value": "c1@example.com", "kind": "personal", "is_primary": True}
    ]
    assert [a["external_id"] for a in body["accounts"]] == ["a1"]
    assert len(body["open_case_ids"]) == 1


def test_outcomes_page(client: TestClient, keys: dict[str, str], sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        for n in range(5):
            session.add(
                Outcome(
                    idempotency_key=f"o{n}",
                    routing="nurtured" if n % 2 else "closed",
                    created_at=NOW + timedelta(seconds=n),
                )
            )
    first = _get(client, keys["reader"], "/v1/outcomes", limit=2)
    second = _get(client, keys["reader"], "/v1/outcomes", limit=2, cursor=first["next_cursor"])
    third = _get(client, keys["reader"], "/v1/outcomes", limit=2, cursor=second["next_cursor"])
    keys_seen = [o["created_at"] for page in (first, second, third) for o in page["items"]]
    assert len(keys_seen) == 5 and keys_seen == sorted(keys_seen) and third["next_cursor"] is None
    assert len(_get(client, keys["reader"], "/v1/outcomes", routing="nurtured")["items"]) == 2


def test_unknown_ids_are_404_problems(client: TestClient, keys: dict[str, str]) -> None:
    for url in ("/v1/cases/nope", "/v1/customers/nope"):
        response = client.get(url, headers=auth(keys["reader"]))
        assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "urn:arrears:problem:not-found"
    assert client.get("/v1/nowhere").headers["content-type"] == "application/problem+json"
